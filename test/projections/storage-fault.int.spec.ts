import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { SqliteEventStore } from '../../src/adapters/eventstore/sqlite/index.js';
import { readModelPath } from '../../src/projections/read-model-db.js';
import { ProjectionRunner } from '../../src/projections/runner.js';
import { smallDisk } from '../support/small-disk.js';
import { accountTotals, expectedTotals, randomEvents } from './account-totals.js';
import { appendSpread, rows } from './harness.js';

/**
 * The read models live on a real small tmpfs that fills up while the event log (elsewhere) keeps
 * growing: the projection pauses ('retrying', with the reason), never ends up 'failed', and catches
 * up by itself when space returns, with rows equal to a clean run.
 */
const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

const probe = smallDisk(4);
probe?.cleanup();

describe.skipIf(!probe)('a projection on a full disk', () => {
  it('pauses with the reason, keeps no error state, and resumes by itself when space returns', async () => {
    const disk = smallDisk(4)!;
    cleanups.push(() => disk.cleanup());
    const logDir = mkdtempSync(join(tmpdir(), 'ml-log-'));
    cleanups.push(() => rmSync(logDir, { recursive: true, force: true }));
    const store = await SqliteEventStore.open(join(logDir, 'events.db'));
    cleanups.push(() => store.close());
    const errors: string[] = [];
    const runner = ProjectionRunner.start({
      store,
      databasePath: readModelPath(disk.dir),
      projections: [accountTotals()],
      onError: (_, e) => errors.push(e.message),
    });
    cleanups.push(() => runner.stop());

    const first = randomEvents(200, 1);
    await runner.waitFor(await appendSpread(store, first));
    disk.fill();
    // Many more events than the free pages can take: the read model must grow, and cannot.
    const more = randomEvents(4000, 2, 4000);
    await appendSpread(store, more);
    const deadline = Date.now() + 20_000;
    let state = '';
    while (Date.now() < deadline) {
      const [s] = await runner.status();
      state = s!.state;
      if (state === 'retrying') break;
      await new Promise((r) => setTimeout(r, 50));
    }
    expect(state).toBe('retrying');
    const [paused] = await runner.status();
    expect(paused!.error).toMatch(/disk is full/);
    expect(errors.join('\n')).toMatch(/paused by a storage fault/);

    disk.free();
    await runner.waitFor(await store.headPosition(), 60_000);
    const [live] = await runner.status();
    expect(live!.state).toBe('live');
    expect(live!.error).toBeUndefined();
    expect(rows(runner.db)).toEqual(expectedTotals([...first, ...more]));
  }, 90_000);
});
