import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';

/**
 * `npm start` (sandbox, its own data dir, a free port) stops on SIGTERM or SIGINT sent to the npm
 * process, as a process manager or a terminal sends them: within 10 s the whole process group is
 * gone (npm, the shell npm runs the script with, the node service and anything it started), nothing
 * is left running without its parent. The measured times are printed (`stop-process:` lines).
 */
const STOP_LIMIT_MS = 10_000;

/** Every live process of the process group `pgid`, from /proc (pid, parent pid, command). */
function groupMembers(pgid: number): Array<{ pid: number; ppid: number; cmd: string }> {
  const out: Array<{ pid: number; ppid: number; cmd: string }> = [];
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    let stat: string;
    try {
      stat = readFileSync(`/proc/${name}/stat`, 'utf8');
    } catch {
      continue; // exited meanwhile
    }
    // pid (comm) state ppid pgrp ...: comm may hold spaces and parentheses, so split after the last ')'.
    const close = stat.lastIndexOf(')');
    const [state, ppid, pgrp] = stat.slice(close + 2).split(' ');
    if (Number(pgrp) !== pgid || state === 'Z') continue;
    let cmd = '';
    try {
      cmd = readFileSync(`/proc/${name}/cmdline`, 'utf8').split('\0').join(' ').trim();
    } catch {
      /* exited */
    }
    out.push({ pid: Number(name), ppid: Number(ppid), cmd });
  }
  return out;
}

interface Started {
  npm: ChildProcess;
  pgid: number;
  output: string[];
  dir: string;
}

let current: Started | null = null;

async function startNpm(): Promise<Started> {
  const dir = mkdtempSync(join(tmpdir(), 'ml-stop-'));
  const env: NodeJS.ProcessEnv = {
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    PORT: '0',
    ML_SANDBOX: '1',
    ML_DATA_DIR: join(dir, 'data'),
    LOG_LEVEL: 'info',
  };
  // Its own process group (as a shell job would be), so the group can be watched and, should the
  // test fail, cleaned up without touching anything else.
  const npm = spawn('npm', ['start'], { cwd: process.cwd(), env, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
  const started: Started = { npm, pgid: npm.pid!, output: [], dir };
  current = started;
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`npm start did not start within 120 s:\n${started.output.join('')}`)), 120_000);
    const onData = (chunk: Buffer): void => {
      started.output.push(chunk.toString());
      if (started.output.join('').includes('ml-connector started')) clearTimeout(timer), resolve();
    };
    npm.stdout!.on('data', onData);
    npm.stderr!.on('data', onData);
    npm.on('exit', (code) => reject(new Error(`npm start exited with ${code}:\n${started.output.join('')}`)));
  });
  return started;
}

/** Sends `signal` to the npm process only; resolves with the time until its whole group is gone. */
async function stopAndMeasure(s: Started, signal: NodeJS.Signals): Promise<{ ms: number; left: ReturnType<typeof groupMembers> }> {
  const before = groupMembers(s.pgid);
  expect(before.some((p) => p.pid === s.npm.pid)).toBe(true);
  expect(
    before.some((p) => /node .*src\/app\/main\.ts/.test(p.cmd)),
    JSON.stringify(before),
  ).toBe(true);
  const t0 = Date.now();
  process.kill(s.npm.pid!, signal);
  let left = groupMembers(s.pgid);
  while (left.length > 0 && Date.now() - t0 < STOP_LIMIT_MS + 2_000) {
    await new Promise((r) => setTimeout(r, 50));
    left = groupMembers(s.pgid);
  }
  return { ms: Date.now() - t0, left };
}

afterEach(() => {
  if (!current) return;
  // Whatever the outcome, nothing of this test's group survives it.
  if (groupMembers(current.pgid).length > 0) {
    try {
      process.kill(-current.pgid, 'SIGKILL');
    } catch {
      /* already gone */
    }
  }
  rmSync(current.dir, { recursive: true, force: true });
  current = null;
});

describe('npm start stops on SIGTERM / SIGINT with nothing left running', () => {
  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    it(`${signal} to the npm process: the whole group is gone within 10 s, after a graceful stop`, async () => {
      const s = await startNpm();
      const { ms, left } = await stopAndMeasure(s, signal);
      process.stdout.write(`stop-process: ${signal} to npm start -> process group gone in ${ms} ms\n`);
      expect(left, `still running ${ms} ms after ${signal}: ${JSON.stringify(left)}`).toEqual([]);
      expect(ms).toBeLessThan(STOP_LIMIT_MS);
      const log = s.output.join('');
      // The service stopped itself (drained, checkpoints saved), it was not just killed.
      expect(log).toMatch(/stopping \(draining in-flight postings, saving checkpoints\)/);
      expect(log).toMatch(/"msg":"stopped in \d+ ms"/);
    }, 180_000);
  }
});
