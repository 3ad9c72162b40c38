import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig, type Config } from '../../src/app/config.js';
import { createLogger, type Logger } from '../../src/observability/logger.js';
import { startConnector, type RunningConnector } from '../../src/app/runtime.js';
import { startSandboxSystems, type SandboxSystems } from '../../src/app/sandbox-systems.js';

type SystemsOptions = NonNullable<Parameters<typeof startSandboxSystems>[0]>;

export const TOKENS = { viewer: 'viewer-token-0123456789', operator: 'operator-token-0123456789', admin: 'admin-token-0123456789' };

export interface E2e {
  running: RunningConnector;
  systems: SandboxSystems;
  config: Config;
  lines: string[];
  graphql<T = Record<string, unknown>>(
    query: string,
    variables?: Record<string, unknown>,
    token?: string | null,
  ): Promise<{ status: number; data?: T; errors?: Array<{ message: string; extensions?: { code?: string } }> }>;
  /** Waits until the pipeline, the worker and the read models have nothing left to do. */
  settle(predicate: () => boolean | Promise<boolean>, what: string, timeoutMs?: number): Promise<void>;
  close(): Promise<void>;
}

/**
 * The real service on loopback: SQLite store in a temp dir, the Concur and Intacct simulators, the
 * HTTP server with GraphQL and the webhook. `auth: true` runs with bearer tokens (outside sandbox
 * rules); webhooks are verified against the simulated ESS key.
 */
export async function startE2e(
  options: { auth?: boolean; kafka?: Config['kafka']; env?: Record<string, string>; systems?: SystemsOptions } = {},
): Promise<E2e> {
  const dir = mkdtempSync(join(tmpdir(), 'ml-e2e-'));
  const systems = await startSandboxSystems(options.systems);
  const base = loadConfig({ ML_SANDBOX: '1', ML_DATA_DIR: dir, PORT: '0', CONCUR_POLL_INTERVAL_S: '0', LOG_LEVEL: 'debug', ...options.env });
  const config: Config = {
    ...base,
    sandbox: !options.auth,
    apiTokens: `viewer:viewer:${TOKENS.viewer},ops:operator:${TOKENS.operator},admin:admin:${TOKENS.admin}`,
    concur: { ...base.concur, webhookVerify: 'signature' },
    kafka: options.kafka ?? null,
  };
  const lines: string[] = [];
  const log: Logger = createLogger({ level: 'debug', json: true, write: (line) => lines.push(line) });
  const running = await startConnector(config, systems.endpoints, log);
  systems.concur.ess.endpoint = `${running.url}/webhooks/concur`;
  const e2e: E2e = {
    running,
    systems,
    config,
    lines,
    async graphql(query, variables, token = options.auth ? TOKENS.admin : null) {
      const res = await fetch(`${running.url}/graphql`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
        body: JSON.stringify({ query, variables }),
      });
      const body = (await res.json()) as { data?: never; errors?: never };
      return { status: res.status, ...body };
    },
    async settle(predicate, what, timeoutMs = 30_000) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        await running.service.caughtUp();
        if (await predicate()) return;
        if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
        await new Promise((r) => setTimeout(r, 50));
      }
    },
    async close() {
      await running.stop();
      await systems.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
  return e2e;
}
