/**
 * The text filter looks names up by their most distinctive trigrams only, when those are selective
 * enough: names sharing those trigrams but not the text, or matching only by FTS5's wider case
 * folding, must still be left out. Real SQLite file, filled through the real projection.
 */
import Database from 'better-sqlite3';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { documentStreamId } from '../../src/domain/document/events.js';
import type { RecordedEvent } from '../../src/domain/events/envelope.js';
import { distinctiveTrigrams } from '../../src/projections/posting-list-plan.js';
import { PostingQueries } from '../../src/projections/posting-queries.js';
import { postingStateProjection } from '../../src/projections/posting-state.js';

const NAMES = ['Trip 42', 'Trap 42 lunch', 'trip 420 Berlin', 'Ship 4 42', 'Résumé 2', 'résumé 2', 'say "hi" 42', 'Trip 4', null];

describe('text filter lookup by distinctive trigrams', () => {
  let dir: string;
  let db: Database.Database;

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'ml-posting-text-'));
    db = new Database(join(dir, 'read-models.db'));
    const ctx = { db, table: (logical: string) => logical };
    postingStateProjection.setup(ctx);
    let position = 0n;
    const at = '2026-03-01T10:00:00.000Z';
    // 40 copies of each name, so every name outnumbers the ones the text matches.
    for (let i = 0; i < NAMES.length * 40; i++) {
      const id = `T${i}`;
      const streamId = documentStreamId('expense', id);
      const data = {
        docType: 'expense',
        concurDocumentId: id,
        reportId: `R${i}`,
        reportName: NAMES[i % NAMES.length],
        employeeId: 'E1',
        amount: '1.00',
        currency: 'USD',
        version: '1',
        document: null,
      };
      for (const [revision, type] of ['ConcurDocumentReceived', 'ConcurDocumentFetched'].entries()) {
        const event: RecordedEvent = {
          id: `${streamId}-${revision}`,
          type,
          schemaVersion: 1,
          data,
          metadata: { correlationId: streamId, causationId: null, actor: 'test', occurredAt: at },
          streamId,
          revision,
          position: position++,
          recordedAt: at,
        };
        postingStateProjection.apply(event, ctx);
      }
    }
  });
  afterAll(() => {
    db.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const names = (text: string, broadAbove?: number): Array<string | null> => {
    const page = new PostingQueries(db, { broadAbove }).list({ text }, 1000);
    expect(page.totalCount).toBe(page.rows.length);
    return [...new Set(page.rows.map((r) => r.reportName))].sort();
  };

  it('chooses digits and later trigrams, and nothing when that would be every trigram', () => {
    expect(distinctiveTrigrams('Trip 42')).toBe('" 42" AND "p 4"');
    expect(distinctiveTrigrams('say "hi"')).toBe('"hi""" AND """hi"');
    expect(distinctiveTrigrams('Trip')).toBeNull();
    expect(distinctiveTrigrams('ab')).toBeNull();
  });

  it('keeps only names containing the text, whichever lookup answers', () => {
    // 4000: the trigram lookup (40 names per distinct name); 30: too broad, the LIKE lookup answers.
    for (const broadAbove of [undefined, 30]) {
      expect(names('Trip 42', broadAbove)).toEqual(['Trip 42', 'trip 420 Berlin']);
      expect(names('TRIP 42', broadAbove)).toEqual(['Trip 42', 'trip 420 Berlin']);
      // LIKE folds ASCII only: É is not é, although FTS5 folds them alike.
      expect(names('RÉSUMÉ 2', broadAbove)).toEqual([]);
      expect(names('résumé 2', broadAbove)).toEqual(['Résumé 2', 'résumé 2']);
      expect(names('"hi" 42', broadAbove)).toEqual(['say "hi" 42']);
      expect(names('p 4 42', broadAbove)).toEqual(['Ship 4 42']);
    }
  });
});
