import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SqliteEventStore } from '../../src/adapters/eventstore/sqlite/index.js';
import { FisClient } from '../../src/adapters/concur/fis-client.js';
import { describeFisItem } from '../../src/adapters/concur/fis-summary.js';
import { FisDocumentGateway } from '../../src/adapters/concur/gateway.js';
import { documentReceiver, type ReceiveDocument } from '../../src/adapters/concur/received.js';
import { createLogger } from '../../src/observability/logger.js';
import { DocumentPipeline, type DocumentPreparer } from '../../src/processes/document-pipeline.js';
import { parseFisDocument } from '../../src/domain/fis/index.js';
import { emptyMappingSet } from '../../src/domain/mapping/model.js';
import { preparePosting } from '../../src/domain/posting/index.js';
import { PostingQueries } from '../../src/projections/posting-queries.js';
import { postingStateProjection } from '../../src/projections/posting-state.js';
import { ProjectionRunner } from '../../src/projections/runner.js';
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
  /** What the webhook, the poller and the backfill do with a document: record it as received. */
  receive: ReceiveDocument;
  /** The one process manager (as wired in production) over the real FIS client and read models. */
  pipeline: DocumentPipeline;
  gateway: FisDocumentGateway;
  runner: ProjectionRunner;
  queries: PostingQueries;
  /** Lines the pipeline logged. */
  pipelineLog: string[];
  /** Runs the pipeline until it has nothing left to do, with the read models caught up. */
  settle(): Promise<void>;
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
  const gateway = new FisDocumentGateway(fis);
  const runner = ProjectionRunner.start({ store, databasePath: join(dir, 'read-models.db'), projections: [postingStateProjection] });
  const queries = new PostingQueries(runner.db);
  const pipelineLog: string[] = [];
  // The real posting rules with no mappings yet: documents wait for mappings, which is all the Concur
  // steps need (fetch, acknowledge, supersede); confirmations are driven by recorded outcomes.
  const prepare: DocumentPreparer = (item, _docType, _docId, options = {}) => {
    const result = preparePosting(parseFisDocument(item), emptyMappingSet(), () => 'ok', {
      today: '2026-12-01',
      defaultJournal: 'EXPJ',
      batchDate: options.batchDate ?? null,
    });
    if (result.ok) return { result: 'entry', entry: result.entry, mappingRevision: 0 };
    if ('gaps' in result) return { result: 'gaps', gaps: result.gaps, mappingRevision: 0 };
    return { result: 'rejected', reason: result.rejected.reason, difference: result.rejected.difference };
  };
  const pipeline = new DocumentPipeline({
    store,
    queries,
    readModelsCaughtUp: async () => runner.waitFor(await store.headPosition()),
    concur: gateway,
    prepare,
    summarize: describeFisItem,
    log: createLogger({ level: 'debug', json: true, write: (line) => pipelineLog.push(line) }),
  });
  const settle = async (): Promise<void> => {
    await pipeline.drain(20);
    await runner.waitFor(await store.headPosition());
  };
  return {
    dir,
    sim,
    store,
    capture,
    tokens,
    api,
    fis,
    receive: documentReceiver(store),
    pipeline,
    gateway,
    runner,
    queries,
    pipelineLog,
    settle,
    tokenFile,
    newTokenManager,
    close: async () => {
      await sim.close();
      await runner.stop();
      await store.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
}
