/**
 * Survives `kill -9` at any instant: a child process appends 5-event batches in a loop to one file and
 * is SIGKILLed at random moments (some while it is still opening or recovering the file). After each
 * kill the file is reopened and checked: integrity, gap-free positions, contiguous revisions per
 * stream, every batch all-or-nothing and contiguous, and every acknowledged batch present.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SqliteEventStore } from '../../src/adapters/eventstore/sqlite/index.js';

const here = dirname(fileURLToPath(import.meta.url));
const CHILD = join(here, 'fixtures', 'sqlite-kill-child.ts');
const KILLS = 25;
const BATCH_SIZE = 5;

const dir = mkdtempSync(join(tmpdir(), 'ml-eventstore-kill-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/**
 * How to start the child. Starting through tsx costs 0.5-2.5 s per run on a busy 2-core machine, so the
 * child is bundled once to CommonJS with esbuild (installed with tsx) and started with plain node;
 * better-sqlite3 stays external and resolves through NODE_PATH. Without esbuild: tsx.
 */
let childCommand: { args: string[]; env: NodeJS.ProcessEnv } = { args: ['--import', 'tsx', CHILD], env: process.env };
beforeAll(async () => {
  try {
    const esbuild = await import('esbuild');
    const outfile = join(dir, 'child.cjs');
    await esbuild.build({
      entryPoints: [CHILD],
      bundle: true,
      platform: 'node',
      format: 'cjs',
      target: 'node20',
      external: ['better-sqlite3'],
      outfile,
      logLevel: 'error',
    });
    const nodeModules = join(here, '..', '..', 'node_modules');
    childCommand = { args: [outfile], env: { ...process.env, NODE_PATH: nodeModules } };
  } catch (error) {
    console.warn(`kill test: bundling the child failed (${String(error)}); starting it through tsx instead`);
  }
});

/** Runs the child until a random moment, SIGKILLs it, and returns the batches it acknowledged. */
async function runAndKill(
  path: string,
  run: number,
  // Every fifth run is killed at a random time after spawn, often during start-up or WAL recovery;
  // the others at a random time after the child started appending.
  killAt: 'anytime' | { afterReadyMs: number } = run % 5 === 0 ? 'anytime' : { afterReadyMs: 20 + Math.random() * 150 },
): Promise<{ acked: string[]; killedBeforeReady: boolean }> {
  const child = spawn(process.execPath, [...childCommand.args, path, String(run)], { stdio: ['ignore', 'pipe', 'pipe'], env: childCommand.env });
  let out = '';
  let err = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => (out += chunk));
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (err += chunk));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.on('exit', (code, signal) => resolve({ code, signal })),
  );

  let killedBeforeReady = false;
  if (killAt === 'anytime') {
    await sleep(Math.random() * 250);
    killedBeforeReady = !out.includes('ready\n');
  } else {
    let ended = false;
    void exited.then(() => (ended = true));
    await until(() => ended || out.includes('ready\n'));
    await sleep(killAt.afterReadyMs);
  }
  child.kill('SIGKILL');
  const { code, signal } = await exited;
  if (signal !== 'SIGKILL') throw new Error(`child ended by itself (code ${code}) before the kill:\n${err}`);
  // Only complete lines count: the kill may cut the last one.
  const acked = out
    .split('\n')
    .slice(0, -1)
    .filter((line) => line.startsWith('ack '))
    .map((line) => line.slice(4));
  return { acked, killedBeforeReady };
}

function checkFile(path: string, acked: Set<string>): { events: number; batches: number } {
  const db = new Database(path);
  try {
    expect(db.pragma('integrity_check', { simple: true })).toBe('ok');
    const { n, lo, hi } = db.prepare('SELECT count(*) AS n, min(position) AS lo, max(position) AS hi FROM events').get() as {
      n: number;
      lo: number | null;
      hi: number | null;
    };
    if (n > 0) expect({ lo, hi }).toEqual({ lo: 0, hi: n - 1 });

    const badStreams = db
      .prepare('SELECT stream_id, count(*) AS n, min(revision) AS lo, max(revision) AS hi FROM events GROUP BY stream_id HAVING lo != 0 OR hi != n - 1')
      .all();
    expect(badStreams).toEqual([]);

    const batches = db
      .prepare(
        `SELECT json_extract(data, '$.batch') AS batch, count(*) AS n, max(position) - min(position) AS span,
                count(DISTINCT stream_id) AS streams, max(revision) - min(revision) AS revSpan
           FROM events GROUP BY batch`,
      )
      .all() as { batch: string; n: number; span: number; streams: number; revSpan: number }[];
    const torn = batches.filter((b) => b.n !== BATCH_SIZE || b.span !== BATCH_SIZE - 1 || b.streams !== 1 || b.revSpan !== BATCH_SIZE - 1);
    expect(torn).toEqual([]);

    const stored = new Set(batches.map((b) => b.batch));
    const lost = [...acked].filter((b) => !stored.has(b));
    expect(lost).toEqual([]);
    return { events: n, batches: batches.length };
  } finally {
    db.close();
  }
}

describe('SqliteEventStore under kill -9', () => {
  it(`keeps the file consistent and every acknowledged append across ${KILLS} random kills`, async () => {
    const path = join(dir, 'events.db');
    const acked = new Set<string>();
    let killedBeforeReady = 0;
    let lastEvents = 0;
    let grewAfterKill = 0;
    for (let run = 1; run <= KILLS; run++) {
      const result = await runAndKill(path, run);
      for (const b of result.acked) acked.add(b);
      if (result.killedBeforeReady) killedBeforeReady++;
      if (result.killedBeforeReady && run === 1) continue; // the file may not exist yet
      const { events } = checkFile(path, acked);
      if (events > lastEvents) grewAfterKill++;
      lastEvents = events;
    }
    // The store itself reopens the recovered file and reads the whole log in order.
    const store = await SqliteEventStore.open(path);
    const all = await store.readAll();
    await store.close();
    expect(all.map((e) => e.position)).toEqual(all.map((_, i) => BigInt(i)));

    // The test must have exercised something: many appends, most runs making progress.
    expect(acked.size).toBeGreaterThan(KILLS * 5);
    expect(grewAfterKill).toBeGreaterThan(KILLS / 3);
    console.info(`kill test: ${KILLS} kills (${killedBeforeReady} before ready), ${all.length} events, ${acked.size} acknowledged batches`);
  }, 120_000);
});

describe('SqliteEventStore with two writer processes on one file', () => {
  it('keeps one gap-free log when two processes append at once and both are killed', async () => {
    const path = join(dir, 'shared.db');
    const acked = new Set<string>();
    const results = await Promise.all([runAndKill(path, 1001, { afterReadyMs: 400 }), runAndKill(path, 1002, { afterReadyMs: 500 })]);
    for (const r of results) for (const b of r.acked) acked.add(b);
    expect(results.every((r) => r.acked.length > 0)).toBe(true);
    checkFile(path, acked);
  }, 60_000);
});

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

async function until(condition: () => boolean): Promise<void> {
  while (!condition()) await sleep(2);
}
