import { mkdirSync, rmSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import {
  createConcurConnection,
  createConcurWebhookHandler,
  levelMethodLogger,
  NotificationValidationError,
  parsePublicKeys,
  describeFisItem,
  type ConcurOAuthConfig,
} from '../adapters/concur/index.js';
import { ConcurVendorClient } from '../adapters/concur/vendors.js';
import { EventStoreDbEventStore } from '../adapters/eventstore/eventstoredb/index.js';
import { SqliteEventStore } from '../adapters/eventstore/sqlite/index.js';
import { IntacctGatewayClient } from '../adapters/intacct/gateway-client.js';
import { SqlitePostingState } from '../adapters/intacct/posting-state.js';
import { SqliteTransactionLedger } from '../adapters/intacct/transaction-counter.js';
import { IntacctPostingWorker } from '../adapters/intacct/posting-worker.js';
import { IntacctReferenceData } from '../adapters/intacct/reference.js';
import { createKafkaClient } from '../adapters/kafka/kafka-config.js';
import { KafkaConcurConsumer } from '../adapters/kafka/inbound-consumer.js';
import { KafkaDomainPublisher } from '../adapters/kafka/domain-publisher.js';
import type { EventStore } from '../domain/eventstore/port.js';
import { createGraphqlHandler } from '../graphql/index.js';
import { SqliteCheckpointStore } from '../projections/checkpoint-store.js';
import { dimensionCacheProjection } from '../projections/dimension-cache.js';
import { mappingReadModelProjection } from '../projections/mapping-read-model.js';
import { postingStateProjection } from '../projections/posting-state.js';
import { readModelPath } from '../projections/read-model-db.js';
import { ProjectionRunner } from '../projections/runner.js';
import type { Config } from './config.js';
import { ConnectorService } from '../application/connector-service.js';
import { startHttpServer } from '../http/http-server.js';
import { createJobRunner } from '../application/job-runner.js';
import { connectorReadiness } from './readiness.js';
import { HealthMonitor } from '../application/health-monitor.js';
import { consoleAssets } from '../http/console-assets.js';
import { registerSecret, type Logger } from '../observability/logger.js';
import { connectorMetrics } from './metrics-wiring.js';
import { DocumentPipeline } from '../processes/document-pipeline.js';
import { BILL_VENDORS, ReferenceSync } from '../application/reference-sync.js';
import { PostingReadWorker } from '../projections/query-pool.js';

/** Endpoints and credentials of the two systems: real ones, or the sandbox simulators'. */
export interface SystemEndpoints {
  concur: ConcurOAuthConfig;
  concurWebhookKeysPem: string[];
  intacct: {
    endpoint: string;
    senderId: string;
    senderPassword: string;
    companyId: string;
    userId: string;
    userPassword: string;
    entityId: string | null;
  };
  secretKey: string;
}

export interface RunningConnector {
  url: string;
  store: EventStore;
  service: ConnectorService;
  runner: ProjectionRunner;
  pipeline: DocumentPipeline;
  worker: IntacctPostingWorker;
  referenceSync: ReferenceSync;
  concur: ReturnType<typeof createConcurConnection>;
  intacct: IntacctGatewayClient;
  /** The readiness checks' background results (`/readyz`, the console's health). */
  health: HealthMonitor;
  stop(): Promise<void>;
}

export async function openStore(config: Config): Promise<EventStore> {
  if (config.store.kind === 'sqlite') {
    mkdirSync(dirname(config.store.path), { recursive: true });
    return SqliteEventStore.open(config.store.path);
  }
  return EventStoreDbEventStore.connect(config.store.connectionString);
}

/**
 * The composition root: opens the store, starts the projections, the document pipeline, the Intacct
 * posting worker, the Concur poller, the optional Kafka bridges and the HTTP server. `stop()` drains in
 * reverse order: no new input, in-flight postings finish and record their outcome, checkpoints saved.
 */
export async function startConnector(config: Config, systems: SystemEndpoints, log: Logger): Promise<RunningConnector> {
  for (const secret of [
    systems.concur.clientSecret,
    systems.concur.refreshToken,
    systems.concur.companyRequestToken,
    systems.intacct.senderPassword,
    systems.intacct.userPassword,
    systems.secretKey,
  ]) {
    registerSecret(secret ?? null);
  }
  mkdirSync(config.dataDir, { recursive: true });
  const store = await openStore(config);
  const stoppers: Array<() => Promise<void>> = [async () => store.close()];
  const stopAll = async (): Promise<void> => {
    for (const stop of stoppers.reverse()) {
      try {
        await stop();
      } catch (error) {
        log.warn('error while stopping', { error: (error as Error).message });
      }
    }
  };

  try {
    const runner = ProjectionRunner.start({
      store,
      databasePath: readModelPath(config.dataDir),
      projections: [postingStateProjection, dimensionCacheProjection, mappingReadModelProjection],
      countEventsAfter: store instanceof EventStoreDbEventStore ? (after) => store.countEventsAfter(after) : undefined,
      onError: (name, error) => log.error(`projection ${name} stopped`, { error: error.message }),
      onMovedAside: (info) =>
        log.warn(`read-model file ${info.path} was damaged (${info.reason}); moved aside to ${info.movedTo} and rebuilt from the event log`, { ...info }),
    });
    stoppers.push(() => runner.stop());

    const concur = createConcurConnection({
      store,
      dataDir: config.dataDir,
      secretKey: systems.secretKey,
      oauth: systems.concur,
      logger: levelMethodLogger(log.child({ system: 'concur' })),
    });

    // API transactions counted by purpose, kept across restarts.
    const ledger = SqliteTransactionLedger.open(join(config.dataDir, 'intacct-usage.db'), (info) =>
      log.warn(`Intacct usage counter ${info.path} was damaged (${info.reason}); moved aside to ${info.movedTo}, counting starts again from zero`, {
        ...info,
      }),
    );
    stoppers.push(async () => ledger.close());
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
      ledger,
      onLedgerError: (error) => log.warn('could not save the Intacct API transaction count', { error: error.message }),
    });
    const postingState = SqlitePostingState.open(join(config.dataDir, 'intacct-posting.db'), (info) =>
      log.warn(
        `Intacct posting queue ${info.path} was damaged (${info.reason}); moved aside to ${info.movedTo} and rebuilt from the event log (every queued posting is read back before any re-post)`,
        { ...info },
      ),
    );
    const worker = new IntacctPostingWorker({
      store,
      gateway,
      state: postingState,
      parallelBatches: config.intacct.maxConcurrency,
      onError: (error) => log.error('Intacct posting worker error', { error: error.message }),
    });

    const caughtUp = async (): Promise<void> => runner.waitFor(await store.headPosition());
    const jobRunner = createJobRunner({
      backfill: concur.backfill,
      referenceSync: () => referenceSync,
      afterBackfill: () => pipeline.kick(),
      preparer: () => service.preparer(),
    });

    let pipeline!: DocumentPipeline;
    let employeeSync: Promise<unknown> | null = null;
    const billVendorSync = coalesced(() =>
      referenceSync
        .run([BILL_VENDORS], 'system:bill-vendor-sync')
        .catch((error: unknown) => log.error('bill vendor sync failed', { error: (error as Error).message })),
    );
    const health = new HealthMonitor(connectorReadiness({ store, runner, concur: concur.tokens, intacct: gateway, worker }), config.readiness);
    // Postings lists and statistics on their own thread: a heavy query never holds webhook intake.
    const reads = new PostingReadWorker(readModelPath(config.dataDir));
    stoppers.push(() => reads.close());
    const service: ConnectorService = new ConnectorService(
      store,
      runner,
      { kick: () => pipeline.kick(), retry: (id, request) => pipeline.retry(id, request) },
      jobRunner,
      config.intacct.journal,
      {
        health,
        intacctTransactions: () => {
          const m = gateway.metrics();
          return { counts: m.apiTransactions, countingSince: m.countingSince };
        },
        log: log.child({ component: 'operator' }),
        reads,
      },
    );
    pipeline = new DocumentPipeline({
      store,
      queries: service.queries,
      readModelsCaughtUp: caughtUp,
      concur: concur.gateway,
      prepare: service.preparer(),
      summarize: describeFisItem,
      log: log.child({ component: 'pipeline' }),
      onMissingEmployees: () => {
        // One employee sync at a time; documents that arrive meanwhile are covered by the next.
        if (employeeSync) return;
        employeeSync = referenceSync
          .run(['employees'], 'system:employee-sync')
          .catch((error: unknown) => log.error('employee sync failed', { error: (error as Error).message }))
          .finally(() => (employeeSync = null));
      },
      // The vendors of waiting bills: one push at a time; asked again meanwhile, one more run after it
      // (a document that arrived during a run that created nothing would otherwise wait for the next change).
      onMissingVendors: billVendorSync,
    });
    const referenceSync = new ReferenceSync(
      store,
      () => runner.db,
      new IntacctReferenceData(gateway),
      log.child({ component: 'reference-sync' }),
      new ConcurVendorClient(concur.api),
      { fullSyncDays: config.referenceSync.fullSyncDays },
    );

    await worker.start();
    stoppers.push(async () => {
      await worker.stop();
      postingState.close();
    });
    await pipeline.start();
    stoppers.push(() => pipeline.stop());

    const publicKeys = parsePublicKeys(systems.concurWebhookKeysPem);
    const webhook = createConcurWebhookHandler({
      ingest: concur.ingest,
      verify: config.concur.webhookVerify,
      publicKeys,
      logger: concur.logger,
      onRecorded: () => pipeline.kick(),
    });
    const graphql = await createGraphqlHandler({
      api: service,
      tokens: config.apiTokens,
      sandbox: config.sandbox,
      rateLimitPerMinute: config.graphql.rateLimitPerMinute,
      secrets: [
        systems.concur.clientSecret,
        systems.concur.refreshToken ?? '',
        systems.intacct.senderPassword,
        systems.intacct.userPassword,
        systems.secretKey,
      ].filter((s) => s.length >= 6),
      log,
    });
    stoppers.push(() => graphql.stop());

    if (!config.sandbox) {
      // Reference data daily (and once at start), so postings are checked against current Intacct data.
      const syncNow = (): void =>
        void referenceSync
          .run([], 'system:scheduler')
          .catch((error: unknown) => log.error('scheduled reference sync failed', { error: (error as Error).message }));
      const first = setTimeout(syncNow, 5_000);
      const daily = setInterval(syncNow, 24 * 3600_000);
      first.unref();
      daily.unref();
      stoppers.push(async () => (clearTimeout(first), clearInterval(daily)));
    }

    if (config.concur.pollIntervalS > 0) {
      const poller = concur.poller(config.concur.pollIntervalS, () => pipeline.kick());
      poller.start();
      stoppers.push(() => poller.stop());
    }

    if (config.kafka) {
      const kafka = createKafkaClient(config.kafka);
      const consumer = new KafkaConcurConsumer({
        kafka,
        topic: config.kafka.concurTopic,
        groupId: config.kafka.groupId,
        ingest: async (body) => {
          const result = await concur.ingest.ingest(body, 'kafka');
          pipeline.kick();
          return result;
        },
        // Strict partition order, each fetched sub-batch appended in one transaction.
        ingestBatch: async (bodies) => {
          const results = await concur.ingest.ingestBatch(bodies, 'kafka');
          pipeline.kick();
          return results;
        },
        isPoison: (error) => error instanceof NotificationValidationError,
        backlog: () => service.queries.countsByStatus()['POSTING'] ?? 0,
        highWatermark: 5000,
        lowWatermark: 1000,
        log: (level, message) => log[level](message, { component: 'kafka-consumer' }),
      });
      const checkpoints = new SqliteCheckpointStore(runner.db);
      const publisher = new KafkaDomainPublisher({
        kafka,
        store,
        checkpoints,
        topic: config.kafka.domainTopic,
        log: (level, message) => log[level](message, { component: 'kafka-publisher' }),
      });
      await consumer.start();
      stoppers.push(() => consumer.stop());
      await publisher.start();
      stoppers.push(() => publisher.stop());
    }

    const http = await startHttpServer({
      port: config.port,
      routes: { '/graphql': (req, res) => graphql.handle(req, res), '/webhooks/concur': webhook },
      readiness: health,
      metrics: connectorMetrics({ service, runner, gateway, worker }),
      statics: consoleAssets(),
      limits: config.http,
      log,
    });
    stoppers.push(() => http.close());
    // The /readyz checks run in the background from now on; /readyz answers from their results.
    health.start();
    stoppers.push(async () => health.stop());
    return { url: http.url, store, service, runner, pipeline, worker, referenceSync, concur, intacct: gateway, health, stop: stopAll };
  } catch (error) {
    await stopAll();
    throw error;
  }
}

/** Real systems' endpoints and credentials from the configuration (webhook keys are read by the caller). */
export function systemsFromConfig(config: Config): SystemEndpoints {
  return {
    concur: {
      authBaseUrl: config.concur.authBaseUrl,
      clientId: config.concur.clientId!,
      clientSecret: config.concur.clientSecret!,
      refreshToken: config.concur.refreshToken,
      companyUuid: config.concur.companyUuid,
      companyRequestToken: config.concur.companyRequestToken,
    },
    concurWebhookKeysPem: [],
    intacct: {
      endpoint: config.intacct.endpoint,
      senderId: config.intacct.senderId!,
      senderPassword: config.intacct.senderPassword!,
      companyId: config.intacct.companyId!,
      userId: config.intacct.userId!,
      userPassword: config.intacct.userPassword!,
      entityId: config.intacct.entityId,
    },
    secretKey: config.secretKey!,
  };
}

export async function readPemFiles(paths: string[]): Promise<string[]> {
  return Promise.all(paths.map((p) => readFile(p, 'utf8')));
}

export function wipe(dir: string): void {
  rmSync(dir, { recursive: true, force: true });
}

/** `run` one at a time: called while it runs, it runs once more afterwards (however many calls came). */
function coalesced(run: () => Promise<unknown>): () => void {
  let running = false;
  let again = false;
  const start = (): void => {
    running = true;
    again = false;
    void run().finally(() => {
      running = false;
      if (again) start();
    });
  };
  return () => {
    if (running) again = true;
    else start();
  };
}
