/**
 * PostingQueries.list against a real SQLite file, through the generation tables and views the runner
 * uses, compared with a brute-force filter over the same rows. Each filter is read page by page with
 * the plan thresholds lowered so every plan (walk, seek, scan) answers it.
 */
import Database from 'better-sqlite3';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RecordedEvent } from '../domain/events/envelope.js';
import { documentStreamId } from '../domain/document/events.js';
import { Generation } from './generation.js';
import { choosePlan, conditionsOf, countSql, pageSql } from './posting-list-plan.js';
import { PostingQueries, type PostingFilter, type PostingRow } from './posting-queries.js';
import { postingStateProjection, signedCents } from './posting-state.js';

const COUNT = 600;
const STATUSES = ['POSTED', 'CONFIRMED', 'AWAITING_MAPPING', 'REJECTED', 'FAILED'] as const;
const DOC_TYPES = ['expense', 'invoice', 'cashadvance'];
const NAMES = ['Trip 42', 'Visit E5 plant', 'trip 420 Berlin', 'Q3 offsite 100%', 'a_b meals', 'Client Dinner', 'Trip 4', 'Résumé trip', null];

/** Deterministic pseudo-random numbers, so a failure replays. */
function random(seed: number): () => number {
  let s = seed;
  return () => ((s = (s * 1103515245 + 12345) % 2 ** 31), s / 2 ** 31);
}

function documentEvents(next: () => number): RecordedEvent[] {
  const rnd = random(7);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rnd() * xs.length)]!;
  const events: RecordedEvent[] = [];
  const event = (stream: string, revision: number, type: string, data: unknown, at: string): void => {
    events.push({
      id: `${stream}-${revision}`,
      type,
      schemaVersion: 1,
      data,
      metadata: { correlationId: stream, causationId: null, actor: 'test', occurredAt: at },
      streamId: stream,
      revision,
      position: BigInt(next()),
      recordedAt: at,
    });
  };
  for (let i = 0; i < COUNT; i++) {
    const id = `D${i}`;
    const docType = pick(DOC_TYPES);
    const stream = documentStreamId(docType as 'expense', id);
    const at = `2026-0${1 + Math.floor(rnd() * 6)}-1${Math.floor(rnd() * 10)}T0${Math.floor(rnd() * 10)}:00:00.000Z`;
    const cents = Math.floor(rnd() * 60000) - 5000;
    const amount = `${cents < 0 ? '-' : ''}${Math.floor(Math.abs(cents) / 100)}.${String(Math.abs(cents) % 100).padStart(2, '0')}`;
    const fetched = {
      docType,
      concurDocumentId: id,
      reportId: `R${i % 50}`,
      reportName: pick(NAMES),
      employeeId: `E${i % 13}`,
      amount: rnd() < 0.05 ? null : amount,
      currency: 'USD',
      version: '1',
      document: null,
    };
    event(
      stream,
      0,
      'ConcurDocumentReceived',
      { docType, concurDocumentId: id, channel: 'webhook', notificationId: null, href: null, reportId: `R${i % 50}` },
      at,
    );
    event(stream, 1, 'ConcurDocumentFetched', fetched, at);
    // A re-fetch renames some reports: the text index must follow.
    if (i % 9 === 0) event(stream, 2, 'ConcurDocumentFetched', { ...fetched, reportName: `Renamed ${i}` }, at);
    const status = pick(STATUSES);
    const postingKey = `ML-${id}-1`;
    if (status === 'AWAITING_MAPPING') event(stream, 3, 'MappingGapFound', { gaps: [], mappingRevision: 0 }, at);
    else {
      event(stream, 3, 'PostingRequested', { postingKey, entry: { batchDate: at.slice(0, 10) }, reverses: null }, at);
      if (status === 'REJECTED') event(stream, 4, 'PostingRejected', { postingKey, attempt: 1, error: { category: 'closed-period', message: 'closed' } }, at);
      else if (status === 'FAILED')
        event(stream, 4, 'PostingFailed', { postingKey, attempt: 1, error: { category: 'transient', message: '503' }, nextAttemptAt: at }, at);
      else event(stream, 4, 'PostingSucceeded', { postingKey, recordNo: `RN${i}`, outcome: 'created' }, at);
      if (status === 'CONFIRMED') event(stream, 5, 'PostingConfirmedToConcur', { status: 'success', documentNumber: null, serviceCode: 0, messages: [] }, at);
    }
  }
  return events;
}

/** SQLite's LIKE folds ASCII letters only. */
const asciiLower = (s: string): string => s.replace(/[A-Z]/g, (c) => c.toLowerCase());
const endOfDay = (v: string): string => (/^\d{4}-\d{2}-\d{2}$/.test(v) ? `${v}T23:59:59.999Z` : v);

function bruteForce(rows: Array<PostingRow & { seq: number }>, f: PostingFilter): number[] {
  return rows
    .filter((r) => !f.status?.length || f.status.includes(r.status))
    .filter((r) => !f.docType?.length || f.docType.includes(r.docType))
    .filter((r) => !f.employeeId || r.employeeId === f.employeeId)
    .filter((r) => !f.reportId || r.reportId === f.reportId)
    .filter((r) => !f.updatedFrom || r.updatedAt >= f.updatedFrom)
    .filter((r) => !f.updatedTo || r.updatedAt <= endOfDay(f.updatedTo))
    .filter((r) => !f.minAmount || (r.amount !== null && signedCents(r.amount) >= signedCents(f.minAmount)))
    .filter((r) => !f.maxAmount || (r.amount !== null && signedCents(r.amount) <= signedCents(f.maxAmount)))
    .filter((r) => {
      if (!f.text) return true;
      if ([r.reportId, r.concurDocumentId, r.employeeId, r.postingKey, r.intacctRecordNo].includes(f.text)) return true;
      return r.reportName !== null && asciiLower(r.reportName).includes(asciiLower(f.text));
    })
    .map((r) => r.seq)
    .sort((a, b) => b - a);
}

const FILTERS: PostingFilter[] = [
  {},
  { status: ['REJECTED', 'FAILED'] },
  { status: ['POSTED', 'POSTED'] },
  { docType: ['invoice'], status: ['CONFIRMED', 'AWAITING_MAPPING'] },
  { employeeId: 'E3', status: ['POSTED'] },
  { reportId: 'R7' },
  { updatedFrom: '2026-02-01', updatedTo: '2026-04-15', minAmount: '100', maxAmount: '250.50' },
  { updatedTo: '2026-03-12' },
  { minAmount: '-20.5' },
  { maxAmount: '0' },
  { status: ['POSTED', 'CONFIRMED'], updatedFrom: '2026-03-01', maxAmount: '300' },
  { text: 'trip 42' },
  { text: 'TRIP' },
  { text: '100%' },
  { text: 'a_b' },
  { text: 'ab' },
  { text: '_' },
  { text: 'Résumé' },
  { text: 'RN17' },
  { text: 'E5' },
  { text: 'R7', status: ['FAILED', 'POSTED'] },
  { text: 'Renamed 9' },
  { text: 'Dinner', employeeId: 'E1', minAmount: '0' },
];

describe('PostingQueries.list (real SQLite, generation views)', () => {
  let dir: string;
  let db: Database.Database;
  let all: Array<PostingRow & { seq: number }>;

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'ml-posting-queries-'));
    db = new Database(join(dir, 'read-models.db'));
    const generation = new Generation(db, postingStateProjection, 3);
    generation.create();
    generation.serve();
    let position = 0;
    db.transaction(() =>
      generation.applyAll(
        documentEvents(() => position++),
        -1n,
      ),
    )();
    all = new PostingQueries(db).list({}, 1000).rows.map((r) => ({ ...r, seq: Number(Buffer.from(r.cursor, 'base64url').toString().slice(4)) }));
  });
  afterAll(() => {
    db.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('lists every posting newest first without a filter', () => {
    expect(all).toHaveLength(COUNT);
    expect(all.map((r) => r.seq)).toEqual([...all.map((r) => r.seq)].sort((a, b) => b - a));
    expect(all.filter((r) => r.reportName?.startsWith('Renamed'))).toHaveLength(Math.ceil(COUNT / 9));
  });

  // 4000: production threshold (everything here is "selective"); 40 and 1: broad conditions walk or scan.
  for (const broadAbove of [4000, 40, 1]) {
    for (const filter of FILTERS) {
      it(`matches a brute-force filter page by page: ${JSON.stringify(filter)} (broad above ${broadAbove})`, () => {
        const queries = new PostingQueries(db, { broadAbove });
        const expected = bruteForce(all, filter);
        const seen: number[] = [];
        let after: string | undefined;
        for (let page = 0; page < 100; page++) {
          const result = queries.list(filter, 7, after);
          expect(result.totalCount).toBe(expected.length);
          seen.push(...result.rows.map((r) => all.find((a) => a.id === r.id)!.seq));
          expect(result.hasNextPage).toBe(seen.length < expected.length);
          if (!result.hasNextPage) break;
          after = result.endCursor!;
        }
        expect(seen).toEqual(expected);
      });
    }
  }

  // The other filters can drive a plan too (broad above 40 in this data set); every statement of the
  // plan must seek an index or the rowid, never read the whole postings table.
  for (const broadAbove of [4000, 40]) {
    it(`seeks an index for every filter shape (broad above ${broadAbove})`, () => {
      for (const filter of FILTERS.filter((f) => Object.keys(f).length > 0 && !(f.text && [...f.text].length < 3))) {
        const { conditions, params } = conditionsOf(filter, broadAbove);
        const plan = choosePlan(conditions, params, (sql) => db.prepare(sql), broadAbove);
        for (const sql of [...pageSql(plan, true), countSql(plan, params)]) {
          const details = (db.prepare(`EXPLAIN QUERY PLAN ${sql}`).all({ ...params, afterSeq: 10_000, limit: 8 }) as Array<{ detail: string }>).map(
            (d) => d.detail,
          );
          expect(
            details.filter((d) => /^SCAN postings(__g\d+)?$/.test(d)),
            `${JSON.stringify(filter)} ${plan.mode}: ${sql}\n${details.join('\n')}`,
          ).toEqual([]);
        }
      }
    });
  }

  it('answers text filters on a generation built before the text table existed', () => {
    const legacy = new Database(join(dir, 'read-models.db'));
    legacy.exec('DROP VIEW postings_text');
    try {
      for (const filter of FILTERS.filter((f) => f.text)) {
        const page = new PostingQueries(legacy).list(filter, 1000);
        expect(page.rows.map((r) => r.id)).toEqual(bruteForce(all, filter).map((seq) => all.find((a) => a.seq === seq)!.id));
        expect(page.totalCount).toBe(page.rows.length);
      }
    } finally {
      legacy.exec('CREATE VIEW postings_text AS SELECT * FROM postings_text__g3');
      legacy.close();
    }
  });

  it('skips the count when the caller does not ask for it', () => {
    const page = new PostingQueries(db).list({ status: ['FAILED'] }, 3, undefined, { totalCount: false });
    expect(page.totalCount).toBeNull();
    expect(page.rows).toHaveLength(3);
  });

  it('returns the same row as a lookup by id', () => {
    const queries = new PostingQueries(db);
    for (const row of all.filter((_, i) => i % 97 === 0)) {
      const { cursor: _cursor, ...listed } = queries.list({ reportId: row.reportId! }, 100).rows.find((r) => r.id === row.id)!;
      expect(listed).toEqual(queries.get(row.id));
    }
  });
});
