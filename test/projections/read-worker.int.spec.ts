import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fill } from '../../bench/graphql.bench.js';
import { PostingQueries, type PostingFilter } from '../../src/projections/posting-queries.js';
import { PostingReadWorker } from '../../src/projections/query-pool.js';

/**
 * The API's postings reads run on a worker thread with its own read-only connection (so a heavy query
 * never holds the event loop that takes in webhooks: `npm run bench -- graphql`). They must answer
 * exactly what the same reads on the main connection answer, and see what is written after they start.
 */
describe('postings reads on the worker thread', () => {
  let dir: string;
  let db: Database.Database;
  let reads: PostingReadWorker;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'ml-read-worker-'));
    db = new Database(join(dir, 'read-models.db'));
    db.pragma('journal_mode = WAL');
    fill(db, 3_000);
    reads = new PostingReadWorker(join(dir, 'read-models.db'));
  });
  afterAll(async () => {
    await reads.close();
    db.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('answers every filter, page and count exactly as the main connection does', async () => {
    const queries = new PostingQueries(db);
    const filters: PostingFilter[] = [
      {},
      { status: ['REJECTED', 'FAILED'] },
      { employeeId: 'E17' },
      { text: 'Trip 42' },
      { minAmount: '100', maxAmount: '250.50' },
      { updatedFrom: '2026-03-01', updatedTo: '2026-05-31' },
    ];
    for (const filter of filters) {
      const first = queries.list(filter, 20, undefined, { totalCount: true });
      expect(await reads.list(filter, 20, undefined, { totalCount: true })).toEqual(first);
      if (first.endCursor) expect(await reads.list(filter, 20, first.endCursor)).toEqual(queries.list(filter, 20, first.endCursor));
    }
    expect(await reads.statistics('2026-01-01', '2026-12-31T23:59:59.999Z')).toEqual(queries.statistics('2026-01-01', '2026-12-31T23:59:59.999Z'));
  });

  it('sees rows committed after it started', async () => {
    const before = (await reads.list({}, 1, undefined, { totalCount: true })).totalCount!;
    db.prepare('DELETE FROM postings WHERE rowid IN (SELECT rowid FROM postings LIMIT 10)').run();
    expect((await reads.list({}, 1, undefined, { totalCount: true })).totalCount).toBe(before - 10);
  });
});
