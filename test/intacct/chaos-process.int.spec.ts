import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { SqliteEventStore } from '../../src/adapters/eventstore/sqlite/index.js';
import { seededRandom } from '../../src/adapters/intacct/simulator/faults.js';
import { startIntacctSimulator, type IntacctSimulator } from '../../src/adapters/intacct/simulator/index.js';
import type { PostingSucceeded } from '../../src/domain/document/events.js';
import { cents, expenseEntry, requestPosting } from './journal-fixtures.js';

const DOCUMENTS = 1000;
const workerScript = fileURLToPath(new URL('./worker-process.ts', import.meta.url));

let cleanup: (() => Promise<void>) | undefined;
afterEach(async () => {
  await cleanup?.();
  cleanup = undefined;
});

describe('chaos with real process kills', () => {
  it('1,000 documents, random gateway faults, the worker process SIGKILLed twice: exactly one GLBATCH each', async () => {
    const sim: IntacctSimulator = await startIntacctSimulator({
      maxConcurrent: 2,
      faults: { seed: 99, latencyMs: [0, 4], rates: { http5xx: 0.06, timeout524: 0.05, drop: 0.05, sessionKill: 0.04 } },
    });
    const dir = mkdtempSync(join(tmpdir(), 'intacct-chaos-'));
    const store = await SqliteEventStore.open(join(dir, 'events.db'), { synchronous: 'NORMAL' });
    let child: ChildProcess | undefined;
    const stderr: string[] = [];
    cleanup = async () => {
      child?.kill('SIGKILL');
      await store.close();
      await sim.close();
      rmSync(dir, { recursive: true, force: true });
    };
    const startWorker = async (): Promise<ChildProcess> => {
      const p = spawn(process.execPath, ['--import', 'tsx', workerScript], {
        env: { ...process.env, SIM_URL: sim.url, EVENTS_DB: join(dir, 'events.db'), STATE_DB: join(dir, 'state.db') },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      p.stderr!.on('data', (d: Buffer) => stderr.push(d.toString()));
      await new Promise<void>((resolve, reject) => {
        p.stdout!.on('data', (d: Buffer) => d.toString().includes('ready') && resolve());
        p.on('exit', (code) => reject(new Error(`worker exited early (${code}): ${stderr.join('')}`)));
        setTimeout(() => reject(new Error(`worker not ready after 20 s: ${stderr.join('')}`)), 20_000).unref();
      });
      return p;
    };
    const t0 = Date.now();
    const log = (m: string): void =>
      void process.stderr.write(`[chaos-process] +${Date.now() - t0}ms ${m}: glbatches=${sim.state.glbatches.length} requests=${sim.stats.requests}\n`);
    const kill = async (p: ChildProcess): Promise<void> => {
      if (p.exitCode !== null || p.signalCode !== null)
        throw new Error(`the worker died on its own (${p.exitCode ?? p.signalCode}): ${stderr.join('').slice(-3000)}`);
      const exited = new Promise((r) => p.once('exit', r));
      p.kill('SIGKILL');
      await exited;
    };

    const random = seededRandom(11);
    const expected = new Map<string, number>();
    const streams = new Map<string, string>();
    const feed = async (from: number, to: number): Promise<void> => {
      for (let i = from; i < to; i++) {
        const entry = expenseEntry(
          `PK-${i}`,
          Array.from({ length: 1 + Math.floor(random() * 3) }, () => 1 + Math.floor(random() * 250_000)),
        );
        expected.set(entry.postingKey, cents(entry.total));
        streams.set(entry.postingKey, await requestPosting(store, entry));
      }
    };
    let seen = -1n;
    let succeededSoFar = 0;
    const succeededCount = async (): Promise<number> => {
      for (const e of await store.readAll({ after: seen })) {
        seen = e.position;
        if (e.type === 'PostingSucceeded') succeededSoFar++;
      }
      return succeededSoFar;
    };

    await feed(0, 500);
    log('fed');
    child = await startWorker();
    log('worker 1 ready');
    const stuck = (e: unknown): never => {
      log(`stuck: stats=${JSON.stringify(sim.stats)} faults=${JSON.stringify(sim.faults.injected)}\n${stderr.join('').split('\n').slice(-12).join('\n')}`);
      throw e;
    };
    await waitFor(() => sim.state.glbatches.length >= 120).catch(stuck);
    log('killing worker 1');
    await kill(child); // kill -9 while batches are on the wire
    await feed(500, DOCUMENTS);
    child = await startWorker();
    log('worker 2 ready');
    await waitFor(() => sim.state.glbatches.length >= 550).catch(stuck);
    log('killing worker 2');
    await kill(child);
    child = await startWorker();
    log('worker 3 ready');
    await waitForAsync(async () => (await succeededCount()) >= DOCUMENTS, 25_000).catch(stuck);
    log('done');
    await new Promise((r) => setTimeout(r, 200)); // nothing more may be posted after completion
    await kill(child);
    log('worker 3 killed');

    const batches = sim.state.glbatches;
    expect(batches).toHaveLength(DOCUMENTS);
    expect(new Set(batches.map((b) => b.header['REFERENCENO'])).size).toBe(DOCUMENTS);
    for (const b of batches) {
      const side = (t: string): number => b.entries.filter((e) => e['TR_TYPE'] === t).reduce((s, e) => s + cents(e['TRX_AMOUNT']!), 0);
      expect(side('1')).toBe(side('-1'));
      expect(side('1')).toBe(expected.get(b.header['REFERENCENO']!));
    }
    log('batches checked');
    const recordNoByKey = new Map(batches.map((b) => [b.header['REFERENCENO']!, b.recordNo]));
    for (const [key, stream] of streams) {
      const succeeded = (await store.readStream(stream)).filter((e) => e.type === 'PostingSucceeded').map((e) => e.data as PostingSucceeded);
      expect(
        succeeded.map((s) => s.recordNo),
        key,
      ).toEqual([recordNoByKey.get(key)]);
    }
    expect(Object.values(sim.faults.injected).every((n) => n > 0)).toBe(true);
    expect(stderr.join('')).not.toMatch(/worker error/);
  }, 90_000);
});

async function waitFor(test: () => boolean, ms = 25_000): Promise<void> {
  return waitForAsync(async () => test(), ms);
}

async function waitForAsync(test: () => Promise<boolean>, ms: number): Promise<void> {
  const start = Date.now();
  while (!(await test())) {
    if (Date.now() - start > ms) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 25));
  }
}
