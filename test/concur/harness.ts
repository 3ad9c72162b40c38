import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SqliteEventStore } from '../../src/adapters/eventstore/sqlite/index.js';
import { FisClient } from '../../src/adapters/concur/fis-client.js';
import { ConcurDocumentIntake } from '../../src/adapters/concur/intake.js';
import { redactingLogger, SecretRegistry, type ConcurLogger, type LogFields, type LogLevel } from '../../src/adapters/concur/log.js';
import { ConcurApi } from '../../src/adapters/concur/oauth/concur-api.js';
import { ConcurTokenManager, type ConcurOAuthConfig } from '../../src/adapters/concur/oauth/token-manager.js';
import { EncryptedFileCredentialStore, SecretBox } from '../../src/adapters/concur/secrets.js';
import { startConcurSimulator, type ConcurSimulator, type ConcurSimulatorOptions } from '../../src/adapters/concur/simulator/index.js';

export const SECRET_KEY = 'test-secret-key-material-0123456789abcdef';

/** Captures every line written through the adapter's (redacting) logger. */
export class CapturingLogger implements ConcurLogger {
  readonly lines: string[] = [];
  log(level: LogLevel, message: string, fields?: LogFields): void {
    this.lines.push(JSON.stringify({ level, message, ...fields }));
  }
}

export interface Harness {
  dir: string;
  sim: ConcurSimulator;
  store: SqliteEventStore;
  capture: CapturingLogger;
  tokens: ConcurTokenManager;
  api: ConcurApi;
  fis: FisClient;
  intake: ConcurDocumentIntake;
  tokenFile: string;
  newTokenManager(config?: Partial<ConcurOAuthConfig>): ConcurTokenManager;
  close(): Promise<void>;
}

export async function startHarness(simOptions: ConcurSimulatorOptions = {}, config: Partial<ConcurOAuthConfig> = {}): Promise<Harness> {
  const dir = await mkdtemp(join(tmpdir(), 'concur-'));
  const sim = await startConcurSimulator(simOptions);
  const store = await SqliteEventStore.open(join(dir, 'events.db'));
  const capture = new CapturingLogger();
  const tokenFile = join(dir, 'data', 'concur-credentials.enc');
  const seed = sim.issueRefreshToken();
  const secrets = new SecretRegistry();
  const newTokenManager = (override: Partial<ConcurOAuthConfig> = {}): ConcurTokenManager => {
    const tm = new ConcurTokenManager({
      config: { authBaseUrl: sim.url, clientId: sim.clientId, clientSecret: sim.clientSecret, refreshToken: seed, ...config, ...override },
      store: new EncryptedFileCredentialStore(tokenFile, new SecretBox(SECRET_KEY)),
      logger: capture,
      secrets,
    });
    return tm;
  };
  const tokens = newTokenManager();
  const logger = redactingLogger(capture, secrets);
  const api = new ConcurApi({ tokens, logger });
  const fis = new FisClient(api, 'ML-TEST');
  const intake = new ConcurDocumentIntake(store, fis, 'ML-TEST', { logger });
  return {
    dir,
    sim,
    store,
    capture,
    tokens,
    api,
    fis,
    intake,
    tokenFile,
    newTokenManager,
    close: async () => {
      await sim.close();
      await store.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
}
