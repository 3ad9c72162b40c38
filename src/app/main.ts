/**
 * `npm start`: the service. Without Concur/Intacct credentials it starts in sandbox mode: both systems
 * are simulated in-process and demo documents flow to posted journal entries at once.
 */
import 'reflect-metadata';
import { join } from 'node:path';
import { ConfigError, describeUnknownVariable, environmentWithDotEnv, loadConfig, unknownVariables, type Config } from './config.js';
import { createLogger } from '../observability/logger.js';
import { readPemFiles, startConnector, systemsFromConfig, wipe, type RunningConnector, type SystemEndpoints } from './runtime.js';
import { installShutdown } from './shutdown.js';
import { startSandboxSystems } from './sandbox-systems.js';
import { runSandboxDemo } from './sandbox-demo.js';

async function main(): Promise<void> {
  const env = environmentWithDotEnv();
  let config: Config;
  try {
    config = loadConfig(env);
  } catch (error) {
    if (error instanceof ConfigError) {
      // A misspelt name is often the cause ("CONCUR_CLIENT_ID is missing" beside CONCUR_CLIENTID).
      const typos = unknownVariables(env)
        .map((v) => `  - ${describeUnknownVariable(v)}\n`)
        .join('');
      process.stderr.write(`ml-connector cannot start.\n${error.message}\n${typos ? `Also:\n${typos}` : ''}`);
      process.exit(2);
    }
    throw error;
  }
  const log = createLogger({ level: config.logLevel, format: config.logFormat });
  for (const unknown of unknownVariables(env)) log.warn(describeUnknownVariable(unknown), { variable: unknown.name, suggestion: unknown.suggestion });

  let systems: SystemEndpoints;
  let closeSandbox: (() => Promise<void>) | null = null;
  let running: RunningConnector | null = null;
  // Settles when start-up is over (started or failed): a stop requested meanwhile waits for it, so
  // nothing half-started is left behind; the hard timeout still bounds the wait.
  let startupDone!: () => void;
  const startup = new Promise<void>((resolve) => (startupDone = resolve));
  installShutdown({
    log,
    watchParent: Boolean(process.env.npm_lifecycle_event),
    stop: async () => {
      await startup;
      await running?.stop();
      await closeSandbox?.();
    },
  });
  try {
    await start();
  } finally {
    startupDone();
  }

  async function start(): Promise<void> {
    let sandbox: Awaited<ReturnType<typeof startSandboxSystems>> | null = null;
    if (config.sandbox) {
      // A fresh demo every start, in its own folder, so sandbox data never mixes with real postings.
      const dataDir = join(config.dataDir, 'sandbox');
      wipe(dataDir);
      config = {
        ...config,
        dataDir,
        store: env.ML_STORE ? config.store : { kind: 'sqlite', path: join(dataDir, 'ml-connector.db') },
        concur: {
          ...config.concur,
          webhookVerify: env.CONCUR_WEBHOOK_VERIFY ? config.concur.webhookVerify : 'none',
          pollIntervalS: env.CONCUR_POLL_INTERVAL_S ? config.concur.pollIntervalS : 0,
        },
      };
      sandbox = await startSandboxSystems();
      systems = sandbox.endpoints;
      closeSandbox = sandbox.close;
    } else {
      systems = { ...systemsFromConfig(config), concurWebhookKeysPem: await readPemFiles(config.concur.webhookPublicKeys) };
    }

    running = await startConnector(config, systems, log);
    const graphqlUrl = `${running.url}/graphql`;
    if (sandbox) {
      log.info('*** SANDBOX MODE: Concur and Intacct are simulated in-process; nothing leaves this machine. Set real credentials (see README) to connect. ***');
      const demo = await runSandboxDemo(running, sandbox, log);
      log.info(`Operator console: ${running.url}/ (signs in by itself in sandbox)`);
      log.info(`GraphQL: ${graphqlUrl} (no token needed in sandbox)`);
      log.info(
        `Try: curl -s ${graphqlUrl} -H 'content-type: application/json' -d '{"query":"{ postings(first: 20) { totalCount edges { node { concurDocumentId status amount currency intacctRecordNo } } } }"}'`,
      );
      log.info(
        `Send a webhook: curl -s -X POST ${running.url}/webhooks/concur -H 'content-type: application/json' -d '${JSON.stringify(demo.sampleNotification)}'`,
      );
      // Last, with the same prefix as outside sandbox: scripts and tests wait for this line.
      log.info(`ml-connector started: GraphQL ${graphqlUrl}, webhook ${running.url}/webhooks/concur, operator console ${running.url}/ (SANDBOX MODE)`);
    } else {
      log.info(
        `ml-connector started: GraphQL ${graphqlUrl}, webhook ${running.url}/webhooks/concur, operator console ${running.url}/ (sign in with an ML_API_TOKENS token)`,
      );
    }
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`ml-connector failed to start: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
