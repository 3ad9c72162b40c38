import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { runDocumentCommand } from '../../src/domain/document/command-handler.js';
import { MemoryEventStore } from '../../src/adapters/eventstore/memory/memory-event-store.js';
import { createLogger } from '../../src/observability/logger.js';
import { DocumentPipeline, type ConcurDocumentGateway } from '../../src/processes/document-pipeline.js';
import { documentStreamId } from '../../src/domain/document/events.js';
import { PostingQueries } from '../../src/projections/posting-queries.js';
import { postingStateProjection } from '../../src/projections/posting-state.js';
import { ProjectionRunner } from '../../src/projections/runner.js';
import { expenseItem } from '../posting/builders.js';

/**
 * A preparer that throws must not leave the document in RECEIVED: the prepare step runs after the
 * Concur fetch and acknowledgement, so an exception used to re-fetch and re-acknowledge the
 * document at Concur on every cycle, forever, with nothing to show for it.
 */
const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0)) await c();
});

describe('document pipeline: an unexpected failure while preparing', () => {
  it('records the document as rejected by the rules, naming it and the error, after one fetch and one acknowledgement', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'ml-pipeline-'));
    const store = new MemoryEventStore();
    const runner = ProjectionRunner.start({ store, databasePath: join(dir, 'read.db'), projections: [postingStateProjection] });
    cleanups.push(async () => {
      await runner.stop();
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    });
    const calls = { fetch: 0, acknowledge: 0 };
    const item = expenseItem({ id: 'DOC-THROWS', total: 10, entries: [{ id: 'E1', allocations: [{ id: 'A1', journals: [{ gross: 10 }] }] }] });
    const concur: ConcurDocumentGateway = {
      fetch: async () => (calls.fetch++, item),
      acknowledge: async () => (calls.acknowledge++, { code: 0, outcome: 'ok' }),
      confirm: async () => ({ code: 0, outcome: 'ok' }),
    };
    const lines: string[] = [];
    const pipeline = new DocumentPipeline({
      store,
      queries: new PostingQueries(runner.db),
      readModelsCaughtUp: async () => runner.waitFor(await store.headPosition()),
      concur,
      prepare: () => {
        throw new TypeError('Cannot read properties of undefined (reading "account")');
      },
      summarize: () => ({ summary: { reportId: null, reportName: 'R', employeeId: '1017001', amount: '10.00', currency: 'USD', version: '1' }, problem: null }),
      log: createLogger({ level: 'debug', json: true, write: (line) => lines.push(line) }),
    });
    const streamId = documentStreamId('expense', 'DOC-THROWS');
    await runDocumentCommand(
      store,
      streamId,
      {
        type: 'ReceiveDocument',
        data: { docType: 'expense', concurDocumentId: 'DOC-THROWS', channel: 'webhook', notificationId: null, href: null, reportId: null },
      },
      'receive',
      { actor: 'test' },
    );

    await pipeline.drain(5);
    await runner.waitFor(await store.headPosition());
    const row = new PostingQueries(runner.db).get(streamId)!;
    expect(row.status).toBe('REJECTED');
    expect(row.rejectionReason).toBe(
      'Document DOC-THROWS could not be prepared: the posting rules failed unexpectedly (Cannot read properties of undefined (reading "account")). Report this with the document id; once fixed, retry the document.',
    );
    expect(calls).toEqual({ fetch: 1, acknowledge: 1 });
    expect(lines.some((l) => l.includes('failed unexpectedly; recorded as rejected'))).toBe(true);
  });
});
