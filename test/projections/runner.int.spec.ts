import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { SqliteEventStore } from '../../src/adapters/eventstore/sqlite/index.js';
import { ProjectionRunner } from '../../src/projections/runner.js';
import { accountTotals, expectedTotals, firstDepositFrom, randomEvents } from './account-totals.js';
import { appendSpread, openReader, rows, tempEnvironment } from './harness.js';

let env: Awaited<ReturnType<typeof tempEnvironment>>;
let store: SqliteEventStore;
const runners: ProjectionRunner[] = [];

function start(projection = accountTotals(), extra: { batchSize?: number; rebuildPageSize?: number } = {}): ProjectionRunner {
  const runner = ProjectionRunner.start({ store, databasePath: env.readModels, projections: [projection], onError: () => undefined, ...extra });
  runners.push(runner);
  return runner;
}

function tables(runner: ProjectionRunner): string[] {
  return runner.db
    .prepare<[], { name: string }>("SELECT name FROM sqlite_master WHERE type = 'table' AND name LIKE 'account_totals__g%' ORDER BY name")
    .all()
    .map((r) => r.name);
}

beforeEach(async () => {
  env = await tempEnvironment();
  store = env.store;
});
afterEach(async () => {
  for (const runner of runners.splice(0)) await runner.stop();
  await env.cleanup();
});

describe('ProjectionRunner', () => {
  it('applies every event exactly once across a crash in the middle of a batch', async () => {
    const events = randomEvents(1_200, 1);
    const head = await appendSpread(store, events);
    // The failing event falls inside the second batch of 500: the batch must vanish whole, checkpoint included.
    const failing = firstDepositFrom(events, 730);
    expect(failing).toBeLessThan(1000);
    const faulty = accountTotals({ failAt: { position: BigInt(failing), times: 1 } });
    const crashed = start(faulty, { batchSize: 500, rebuildPageSize: 500 });
    await expect(crashed.waitFor(head, 5_000)).rejects.toThrow(
      new RegExp(`account_totals v1 could not apply event .* position ${failing}\\).*simulated crash`),
    );
    const [failed] = await crashed.status();
    expect(failed).toMatchObject({ state: 'failed', headPosition: head });
    expect(failed!.position).toBe(499n);
    expect(failed!.lag).toBe(Number(head - failed!.position));
    expect(rows(crashed.db)).toEqual(expectedTotals(events.slice(0, Number(failed!.position) + 1)));
    await crashed.stop();

    const restarted = start(accountTotals(), { batchSize: 500 });
    await restarted.waitFor(head, 10_000);
    expect(rows(restarted.db)).toEqual(expectedTotals(events));
    const [status] = await restarted.status();
    expect(status).toMatchObject({ state: 'live', position: head, lag: 0 });
  });

  it('applies live events exactly once across a crash in the middle of a live batch', async () => {
    const events = randomEvents(400, 8);
    const failing = firstDepositFrom(events, 150);
    expect(failing).toBeLessThan(192);
    // Pages of the first catch-up and live batches are both 64, whichever path delivers the events.
    const runner = start(accountTotals({ failAt: { position: BigInt(failing), times: 1 } }), { batchSize: 64, rebuildPageSize: 64 });
    const head = await appendSpread(store, events, 400);
    await expect(runner.waitFor(head, 5_000)).rejects.toThrow(`position ${failing})`);
    const [failed] = await runner.status();
    // Batches of 64: 0..63 and 64..127 committed, the batch holding 150 rolled back whole.
    expect(failed).toMatchObject({ state: 'failed', position: 127n });
    expect(rows(runner.db)).toEqual(expectedTotals(events.slice(0, 128)));
    await runner.stop();

    const restarted = start(accountTotals(), { batchSize: 64 });
    await restarted.waitFor(head);
    expect(rows(restarted.db)).toEqual(expectedTotals(events));
  });

  it('follows live appends, and a rebuilt read model equals the incrementally built one', async () => {
    const events = randomEvents(3_000, 2);
    const runner = start(accountTotals(), { batchSize: 64 });
    for (let i = 0; i < events.length; i += 300) {
      const head = await appendSpread(store, events.slice(i, i + 300), 30);
      await runner.waitFor(head);
    }
    const incremental = rows(runner.db);
    expect(incremental).toEqual(expectedTotals(events));
    expect(tables(runner)).toEqual(['account_totals__g1']);

    await runner.rebuild('account_totals');
    expect(rows(runner.db)).toEqual(incremental);
    expect(tables(runner)).toEqual(['account_totals__g2']);
    const [status] = await runner.status();
    expect(status).toMatchObject({ generation: 2, state: 'live', lag: 0 });
    expect(status!.rebuild).toBeUndefined();
  });

  it('reports a failed rebuild while the serving generation stays live and unchanged', async () => {
    const events = randomEvents(600, 5);
    const head = await appendSpread(store, events, 300);
    const first = start();
    await first.waitFor(head);
    const served = rows(first.db);
    await first.stop();
    // Same read models, a projection whose replay fails once: live following resumes past that position.
    const failing = firstDepositFrom(events, 100);
    const runner = start(accountTotals({ failAt: { position: BigInt(failing), times: 1 } }), { rebuildPageSize: 64 });
    await runner.waitFor(head);
    await expect(runner.rebuild('account_totals')).rejects.toThrow();
    const [status] = await runner.status();
    expect(status).toMatchObject({ state: 'live', generation: 1 });
    expect(status!.error).toMatch(/rebuild failed/);
    expect(rows(runner.db)).toEqual(served);
    // A successful rebuild clears the error.
    await runner.rebuild('account_totals');
    expect((await runner.status())[0]!.error).toBeUndefined();
  });

  it('keeps serving reads and following live appends while a rebuild runs', async () => {
    const events = randomEvents(8_000, 3);
    const head = await appendSpread(store, events, 500);
    const runner = start(accountTotals(), { rebuildPageSize: 200 });
    await runner.waitFor(head, 20_000);
    const reader = openReader(env.readModels);
    try {
      const before = rows(reader);
      expect(before).toEqual(expectedTotals(events));
      const rebuilt = runner.rebuild('account_totals');
      const more = randomEvents(100, 4);
      let appended = false;
      let sawProgress = false;
      let reads = 0;
      let rebuilding = true;
      void rebuilt.finally(() => (rebuilding = false));
      while (rebuilding) {
        const [status] = await runner.status();
        if (status!.state === 'rebuilding') {
          const progress = status!.rebuild!.progress;
          expect(progress).toBeGreaterThanOrEqual(0);
          expect(progress).toBeLessThanOrEqual(1);
          if (progress > 0 && progress < 1) sawProgress = true;
          if (reads === 3) {
            // Live appends during the rebuild reach the serving generation at once.
            const appendedHead = await appendSpread(store, more, 100);
            await runner.waitFor(appendedHead);
            expect((await runner.status())[0]!.state).toBe('rebuilding');
            appended = true;
          }
        }
        expect(rows(reader)).toEqual(appended ? expectedTotals([...events, ...more]) : before);
        reads++;
        await new Promise((r) => setTimeout(r, 1));
      }
      await rebuilt;
      expect(sawProgress).toBe(true);
      expect(appended).toBe(true);
      expect(rows(reader)).toEqual(expectedTotals([...events, ...more]));
      expect(tables(runner)).toEqual(['account_totals__g2']);
    } finally {
      reader.close();
    }
  });

  it('rebuilds automatically on a version bump while the old version keeps serving', async () => {
    const events = randomEvents(2_000, 5);
    const head = await appendSpread(store, events);
    const v1 = start(accountTotals({ version: 1 }));
    await v1.waitFor(head);
    expect(rows(v1.db)).toEqual(expectedTotals(events, 1));
    await v1.stop();

    const v2 = start(accountTotals({ version: 2 }), { rebuildPageSize: 200 });
    expect(rows(v2.db)).toEqual(expectedTotals(events, 1));
    const [during] = await v2.status();
    expect(during).toMatchObject({ state: 'rebuilding', version: 1, generation: 1, rebuild: { version: 2, generation: 2 } });
    await v2.waitFor(head);
    expect(rows(v2.db)).toEqual(expectedTotals(events, 2));
    const [after] = await v2.status();
    expect(after).toMatchObject({ state: 'live', version: 2, generation: 2, position: head, lag: 0 });
    expect(tables(v2)).toEqual(['account_totals__g2']);
    const checkpoint = v2.db.prepare('SELECT version, generation FROM projection_checkpoints WHERE name = ?').get('account_totals');
    expect(checkpoint).toEqual({ version: 2, generation: 2 });
  });

  it('resumes an interrupted rebuild where it stopped after a restart', async () => {
    const events = randomEvents(10_000, 7);
    const head = await appendSpread(store, events, 500);
    const first = start(accountTotals(), { rebuildPageSize: 100 });
    await first.waitFor(head);
    const rebuilding = first.rebuild('account_totals');
    let saved = -1n;
    while (saved < 1_000n) {
      await new Promise((r) => setTimeout(r, 2));
      saved = (await first.status())[0]!.rebuild!.position;
    }
    const { startedAt } = (await first.status())[0]!.rebuild!;
    await first.stop();
    await expect(rebuilding).rejects.toThrow(/stopped before the rebuild of account_totals finished/);
    const saved2 = (await first.status())[0]!.rebuild!.position;

    const second = start(accountTotals(), { rebuildPageSize: 100 });
    const [resumed] = await second.status();
    expect(resumed).toMatchObject({ state: 'rebuilding', generation: 1, rebuild: { generation: 2, startedAt } });
    expect(resumed!.rebuild!.position).toBeGreaterThanOrEqual(saved2);
    expect(rows(second.db)).toEqual(expectedTotals(events));
    await second.rebuild('account_totals');
    expect(rows(second.db)).toEqual(expectedTotals(events));
    expect(tables(second)).toEqual(['account_totals__g2']);
  });

  it('reports lag as the events between its checkpoint and the head', async () => {
    const events = randomEvents(300, 6);
    await appendSpread(store, events.slice(0, 100));
    const runner = start();
    await runner.waitFor(99n);
    await runner.stop();
    const head = await appendSpread(store, events.slice(100));
    const failing = firstDepositFrom(events, 100);
    const later = start(accountTotals({ failAt: { position: BigInt(failing), times: 1 } }));
    await expect(later.waitFor(head)).rejects.toThrow(`position ${failing})`);
    const [status] = await later.status();
    expect(status).toMatchObject({ position: 99n, headPosition: 299n, lag: 200, state: 'failed' });
    expect(status!.error).toContain('restart');
  });
});
