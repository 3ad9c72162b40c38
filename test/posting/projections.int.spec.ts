/**
 * The dimension cache and the mapping read model against a real SQLite file: first applied directly
 * (setup/apply with a plain context), then through the ProjectionRunner over the memory event store.
 */
import Database from 'better-sqlite3';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { newEvent, type NewEvent, type RecordedEvent } from '../../src/domain/events/envelope.js';
import { referenceStreamId, type ReferenceDataSynced } from '../../src/domain/reference/index.js';
import { decideMapping, emptyMappingSet, MAPPINGS_STREAM } from '../../src/domain/mapping/index.js';
import { dimensionCacheProjection, dimensionCheckFrom, listReferenceKinds, listReferenceRecords } from '../../src/projections/dimension-cache.js';
import { mappingReadModelProjection, readCurrentMappings, readMappingHistory, readMappingsAsOf } from '../../src/projections/mapping-read-model.js';
import { MemoryEventStore } from '../../src/adapters/eventstore/memory/memory-event-store.js';
import { ProjectionRunner } from '../../src/projections/runner.js';
import { parseFisDocument } from '../../src/domain/fis/index.js';
import { preparePosting } from '../../src/domain/posting/index.js';
import { DEMO_MAPPINGS_JSON, fisItem, OPTIONS } from './fixtures.js';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

function tempDb(): Database.Database {
  const dir = mkdtempSync(join(tmpdir(), 'ml-posting-proj-'));
  dirs.push(dir);
  return new Database(join(dir, 'read.db'));
}

let position = 0n;
function recorded(event: NewEvent, streamId: string, revision: number): RecordedEvent {
  return { ...event, streamId, revision, position: position++, recordedAt: event.metadata.occurredAt };
}

const synced = (data: ReferenceDataSynced, at: string) => newEvent('ReferenceDataSynced', data, { actor: 'system:sync', occurredAt: at });

describe('dimension cache projection (direct apply, real SQLite)', () => {
  it('upserts deltas, removes records absent from a complete sync, answers the posting rules', () => {
    const db = tempDb();
    const ctx = { db, table: (x: string) => x };
    dimensionCacheProjection.setup(ctx);
    const check = dimensionCheckFrom(db);
    expect(check('DEPARTMENT', 'D100')).toBe('ok'); // never synced: cannot judge, does not block

    const apply = (data: ReferenceDataSynced, rev: number) =>
      dimensionCacheProjection.apply(recorded(synced(data, `2026-07-0${rev + 1}T00:00:00.000Z`), referenceStreamId(data.kind), rev), ctx);
    apply(
      {
        kind: 'DEPARTMENT',
        complete: true,
        records: [
          { id: 'D100', name: 'Sales', status: 'active' },
          { id: 'D200', name: 'Old', status: 'inactive' },
          { id: 'D300', name: 'Gone soon', status: 'active' },
        ],
      },
      0,
    );
    expect([check('DEPARTMENT', 'D100'), check('DEPARTMENT', 'D200'), check('DEPARTMENT', 'D999')]).toEqual(['ok', 'inactive', 'missing']);
    expect(check('ITEMID', 'anything')).toBe('ok');

    apply({ kind: 'DEPARTMENT', complete: false, records: [{ id: 'D200', name: 'Old', status: 'active' }] }, 1);
    expect(check('DEPARTMENT', 'D200')).toBe('ok');
    expect(check('DEPARTMENT', 'D300')).toBe('ok'); // a delta removes nothing

    apply(
      {
        kind: 'DEPARTMENT',
        complete: true,
        records: [
          { id: 'D100', name: 'Sales', status: 'active' },
          { id: 'D200', name: 'Old', status: 'active' },
        ],
      },
      2,
    );
    expect(check('DEPARTMENT', 'D300')).toBe('missing');
    expect(listReferenceRecords(db, 'DEPARTMENT').map((r) => r.id)).toEqual(['D100', 'D200']);
    expect(listReferenceKinds(db)).toEqual([
      { kind: 'DEPARTMENT', recordCount: 2, lastSyncedAt: '2026-07-03T00:00:00.000Z', lastCompleteAt: '2026-07-03T00:00:00.000Z' },
    ]);
  });
});

describe('mapping read model projection (direct apply, real SQLite)', () => {
  it('keeps the current set, the history with actor and reason, and answers as-of queries', () => {
    const db = tempDb();
    const ctx = { db, table: (x: string) => x };
    mappingReadModelProjection.setup(ctx);
    let set = emptyMappingSet();
    let revision = 0;
    const run = (command: Parameters<typeof decideMapping>[0], at: string) => {
      for (const e of decideMapping(command, set, at)) {
        const r = recorded(e, MAPPINGS_STREAM, revision++);
        mappingReadModelProjection.apply(r, ctx);
        set = readCurrentMappings(db).set;
      }
    };
    run({ type: 'importMappings', json: DEMO_MAPPINGS_JSON, reason: 'initial', actor: 'user:alice' }, '2026-07-01T09:00:00.000Z');
    run({ type: 'setMapping', section: 'accounts', key: '474230', value: '6401', reason: 'split', actor: 'user:bob' }, '2026-07-02T09:00:00.000Z');
    run({ type: 'removeMapping', section: 'counterparties', key: 'CBCP', reason: 'no corporate card', actor: 'user:bob' }, '2026-07-03T09:00:00.000Z');

    const current = readCurrentMappings(db);
    expect(current).toMatchObject({ revision: 2, updatedBy: 'user:bob', updatedAt: '2026-07-03T09:00:00.000Z' });
    expect(current.set.accounts.get('474230')).toBe('6401');
    expect(current.set.counterparties.get('CBCP')).toBeUndefined();
    expect(readMappingHistory(db).map((h) => [h.revision, h.type, h.section, h.key, h.actor, h.reason])).toEqual([
      [2, 'MappingChanged', 'counterparties', 'CBCP', 'user:bob', 'no corporate card'],
      [1, 'MappingChanged', 'accounts', '474230', 'user:bob', 'split'],
      [0, 'MappingsImported', null, null, 'user:alice', 'initial'],
    ]);
    expect(readMappingHistory(db, { section: 'accounts', key: '474230' })).toHaveLength(1);
    const asOf = readMappingsAsOf(db, '2026-07-01T12:00:00Z');
    expect([asOf.revision, asOf.set.accounts.get('474230'), asOf.set.counterparties.get('CBCP')?.account]).toEqual([0, '6400', '2120']);
  });
});

describe('through the ProjectionRunner', () => {
  it('a reference sync changes the outcome of the posting rules for a waiting document', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'ml-posting-runner-'));
    dirs.push(dir);
    const store = new MemoryEventStore();
    const runner = ProjectionRunner.start({ store, databasePath: join(dir, 'read.db'), projections: [dimensionCacheProjection, mappingReadModelProjection] });
    try {
      const imported = decideMapping({ type: 'importMappings', json: DEMO_MAPPINGS_JSON, reason: 'initial', actor: 'user:alice' }, emptyMappingSet());
      await store.appendToStream(MAPPINGS_STREAM, imported);
      const all = ['6400', '6410', '6420', '6430', '6440', '6450', '2050', '2070', '2110', '1410'];
      const accounts = synced({ kind: 'GLACCOUNT', complete: true, records: all.map((id) => ({ id, name: id, status: 'active' })) }, '2026-07-01T00:00:00Z');
      const depts = synced({ kind: 'DEPARTMENT', complete: true, records: [{ id: 'D110', name: 'Kingston', status: 'inactive' }] }, '2026-07-01T00:00:00Z');
      await store.appendToStream(referenceStreamId('GLACCOUNT'), [accounts]);
      const r = await store.appendToStream(referenceStreamId('DEPARTMENT'), [depts]);
      await runner.waitFor(r.position);

      const db = new Database(join(dir, 'read.db'), { readonly: true });
      try {
        const doc = parseFisDocument(fisItem('2.1'));
        const first = preparePosting(doc, readCurrentMappings(db).set, dimensionCheckFrom(db), OPTIONS);
        expect(!first.ok && 'gaps' in first && first.gaps.map((g) => [g.kind, g.code, g.field])).toEqual([
          ['unknown-value', 'D110', 'dimensions[allocationCustom4Code->DEPARTMENT]'],
        ]);

        const reactivated = synced(
          { kind: 'DEPARTMENT', complete: false, records: [{ id: 'D110', name: 'Kingston', status: 'active' }] },
          '2026-07-02T00:00:00Z',
        );
        const r2 = await store.appendToStream(referenceStreamId('DEPARTMENT'), [reactivated]);
        await runner.waitFor(r2.position);
        const second = preparePosting(doc, readCurrentMappings(db).set, dimensionCheckFrom(db), OPTIONS);
        expect(second.ok && second.entry.total).toBe('10.00');
      } finally {
        db.close();
      }
    } finally {
      await runner.stop();
      await store.close();
    }
  });
});
