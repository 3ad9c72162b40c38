import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { SqliteEventStore } from '../../src/adapters/eventstore/sqlite/index.js';
import { createConcurConnection, createConcurWebhookHandler, describeFisItem, parsePublicKeys } from '../../src/adapters/concur/index.js';
import { ConnectorService } from '../../src/application/connector-service.js';
import { createLogger } from '../../src/observability/logger.js';
import { DocumentPipeline } from '../../src/processes/document-pipeline.js';
import { dimensionCacheProjection } from '../../src/projections/dimension-cache.js';
import { mappingReadModelProjection } from '../../src/projections/mapping-read-model.js';
import { postingStateProjection } from '../../src/projections/posting-state.js';
import { ProjectionRunner } from '../../src/projections/runner.js';
import { generateExpenseDocument, startConcurSimulator } from '../../src/adapters/concur/simulator/index.js';
import { documentStreamId } from '../../src/domain/document/events.js';
import { CapturingLogger, SECRET_KEY } from './harness.js';

const cleanups: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

describe('Concur connection wired as in sandbox mode', () => {
  it('a published document travels webhook -> store -> pipeline: fetch -> acknowledge', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'concur-e2e-'));
    cleanups.push(() => rm(dir, { recursive: true, force: true }));
    const sim = await startConcurSimulator({ fixtureDir: false });
    cleanups.push(() => sim.close());
    const store = await SqliteEventStore.open(join(dir, 'events.db'));
    cleanups.push(() => store.close());
    const capture = new CapturingLogger();
    const concur = createConcurConnection({ store, dataDir: dir, secretKey: SECRET_KEY, oauth: sim.oauthConfig(), logger: capture });
    const handler = createConcurWebhookHandler({
      ingest: concur.ingest,
      verify: 'signature',
      publicKeys: parsePublicKeys([sim.ess.publicKeyPem]),
      logger: concur.logger,
      onRecorded: () => pipeline.kick(),
    });
    const server: Server = createServer(handler);
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    cleanups.push(() => new Promise((r) => (server.closeAllConnections(), server.close(r))));
    sim.ess.endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}/webhooks/concur`;
    // The pipeline as production wires it: read models, the real preparer and the FIS gateway.
    const runner = ProjectionRunner.start({
      store,
      databasePath: join(dir, 'read-models.db'),
      projections: [postingStateProjection, dimensionCacheProjection, mappingReadModelProjection],
    });
    cleanups.push(() => runner.stop());
    const service = new ConnectorService(store, runner, { kick: () => undefined, retry: async () => undefined }, null as never, 'EXPJ');
    const pipeline = new DocumentPipeline({
      store,
      queries: service.queries,
      readModelsCaughtUp: async () => runner.waitFor(await store.headPosition()),
      concur: concur.gateway,
      prepare: service.preparer(),
      summarize: describeFisItem,
      log: createLogger({ level: 'error', json: true, write: () => undefined }),
      scanIntervalMs: 50,
    });
    await pipeline.start();
    cleanups.push(() => pipeline.stop());

    const doc = generateExpenseDocument({ entryCents: [1999, 1] });
    const delivery = await sim.publishDocument(doc);
    expect(delivery.status).toBe(200);
    const streamId = documentStreamId('expense', doc.id);
    for (let i = 0; i < 100; i++) {
      if ((await store.readStream(streamId)).some((e) => e.type === 'ConcurDocumentAcknowledged')) break;
      await new Promise((r) => setTimeout(r, 30));
    }
    const stream = await store.readStream(streamId);
    expect(stream.map((e) => e.type).slice(0, 3)).toEqual(['ConcurDocumentReceived', 'ConcurDocumentFetched', 'ConcurDocumentAcknowledged']);
    expect(stream[1]!.data).toMatchObject({ amount: '20.00', currency: 'USD' });
    // One inbound fact, one correlation id through the chain.
    expect(new Set(stream.map((e) => e.metadata.correlationId)).size).toBe(1);
    expect(concur.tokens.status()).toMatchObject({ state: 'connected', geolocation: sim.url });
    expect(capture.lines.some((l) => l.includes('Concur notification recorded'))).toBe(true);
  });
});
