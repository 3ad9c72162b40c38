import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConcurAuthError, ConcurMaintenanceError, ConcurUnavailableError, createConcurConnection } from '../../adapters/concur/index.js';
import { MemoryEventStore } from '../../adapters/eventstore/memory/memory-event-store.js';
import { IntacctAuthenticationError, IntacctControlError, IntacctNetworkError } from '../../adapters/intacct/errors.js';
import { IntacctGatewayClient } from '../../adapters/intacct/gateway-client.js';
import { ConfigError, loadConfig, type Config } from '../../app/config.js';
import { redact, registerSecret } from '../../observability/logger.js';
import { systemsFromConfig, type SystemEndpoints } from '../../app/runtime.js';
import { startSandboxSystems } from '../../app/sandbox-systems.js';
import { CliError } from '../graphql-client.js';
import type { CliIo } from '../io.js';

interface Check {
  ok: boolean;
  detail: string;
}

/**
 * Checks the credentials against both systems directly (no running service needed): a Concur access
 * token (which also finds the company's datacenter) and an Intacct API session (which names the
 * endpoint to use). Without credentials it checks the sandbox simulators and says so.
 */
export async function ping(io: CliIo): Promise<number> {
  let config: Config;
  try {
    config = loadConfig(io.env);
  } catch (error) {
    if (error instanceof ConfigError) throw new CliError(`${error.message}\nFix these in the environment or .env, then ping again.`);
    throw error;
  }
  if (config.sandbox) return pingSandbox(io, config);
  const systems = systemsFromConfig(config);
  // The real data dir: a refresh may rotate Concur's refresh token, and the service must find the new one.
  mkdirSync(config.dataDir, { recursive: true });
  return report(io, await checkBoth(systems, config.dataDir, config));
}

async function pingSandbox(io: CliIo, config: Config): Promise<number> {
  io.out(
    'SANDBOX: no Concur/Intacct credentials are set (or ML_SANDBOX=1), so this checks the in-process simulators, not real systems. Set the credentials (see README) to check them.',
  );
  const sandbox = await startSandboxSystems();
  // Simulator tokens are throwaway: keep them out of the real data dir.
  const dataDir = mkdtempSync(join(tmpdir(), 'ml-ping-'));
  try {
    return report(io, await checkBoth(sandbox.endpoints, dataDir, config));
  } finally {
    await sandbox.close();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

async function checkBoth(systems: SystemEndpoints, dataDir: string, config: Config): Promise<{ concur: Check; intacct: Check }> {
  for (const s of [
    systems.concur.clientSecret,
    systems.concur.refreshToken,
    systems.concur.companyRequestToken,
    systems.intacct.senderPassword,
    systems.intacct.userPassword,
    systems.secretKey,
  ])
    registerSecret(s ?? null);
  const [concur, intacct] = await Promise.all([checkConcur(systems, dataDir), checkIntacct(systems, config)]);
  return { concur, intacct };
}

function report(io: CliIo, checks: { concur: Check; intacct: Check }): number {
  io.out(`Concur   ${checks.concur.ok ? 'OK    ' : 'FAILED'}  ${redact(checks.concur.detail)}`);
  io.out(`Intacct  ${checks.intacct.ok ? 'OK    ' : 'FAILED'}  ${redact(checks.intacct.detail)}`);
  return checks.concur.ok && checks.intacct.ok ? 0 : 1;
}

async function checkConcur(systems: SystemEndpoints, dataDir: string): Promise<Check> {
  const store = new MemoryEventStore();
  try {
    // Nothing is appended: only the token manager (and its encrypted credential file) is used.
    const concur = createConcurConnection({ store, dataDir, secretKey: systems.secretKey, oauth: systems.concur });
    const token = await concur.tokens.getAccessToken();
    return { ok: true, detail: `access token obtained; datacenter (geolocation) ${token.geolocation}` };
  } catch (error) {
    return { ok: false, detail: concurAdvice(error as Error) };
  } finally {
    await store.close();
  }
}

function concurAdvice(error: Error): string {
  if (error instanceof ConcurUnavailableError)
    return `${error.message.replace(/; retrying later$/, '')}: check CONCUR_AUTH_BASE_URL and the network, then ping again`;
  if (error instanceof ConcurAuthError) return `${error.message}: check CONCUR_CLIENT_ID and CONCUR_CLIENT_SECRET (and the app's scopes)`;
  if (error instanceof ConcurMaintenanceError) return error.message;
  // ConcurReconnectRequiredError, ConcurNotConfiguredError and SecretKeyError already say what to do.
  return error.message;
}

async function checkIntacct(systems: SystemEndpoints, config: Config): Promise<Check> {
  const gateway = new IntacctGatewayClient({
    endpoint: systems.intacct.endpoint,
    sender: { senderId: systems.intacct.senderId, senderPassword: systems.intacct.senderPassword },
    login: {
      userId: systems.intacct.userId,
      companyId: systems.intacct.companyId,
      userPassword: systems.intacct.userPassword,
      locationId: systems.intacct.entityId ?? undefined,
    },
    maxConcurrency: config.intacct.maxConcurrency,
    // A ping should answer in seconds, not wait through the posting worker's long backoff.
    retry: { maxAttempts: 2, baseDelayMs: 300, maxDelayMs: 1000 },
    requestTimeoutMs: 20_000,
  });
  try {
    const session = await gateway.sessions.get();
    const entity = systems.intacct.entityId ? `entity ${systems.intacct.entityId}` : 'top level';
    return { ok: true, detail: `API session opened for company ${systems.intacct.companyId} (${entity}); endpoint ${session.endpoint}` };
  } catch (error) {
    return { ok: false, detail: intacctAdvice(error as Error) };
  }
}

function intacctAdvice(error: Error): string {
  if (error instanceof IntacctControlError)
    return `${error.message}: check INTACCT_SENDER_ID and INTACCT_SENDER_PASSWORD, and that the company authorised this sender (Company > Setup > Web Services authorizations)`;
  if (error instanceof IntacctAuthenticationError)
    return `${error.message}: check INTACCT_COMPANY_ID, INTACCT_USER_ID and INTACCT_USER_PASSWORD (a Web Services user)`;
  if (error instanceof IntacctNetworkError) return `${error.message}: check INTACCT_ENDPOINT and the network`;
  return error.message;
}
