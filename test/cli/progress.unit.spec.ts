import { describe, expect, it } from 'vitest';
import { describeProgress, formatDuration, ProgressLine } from '../../src/cli/progress.js';

function sink(isTTY: boolean) {
  const writes: string[] = [];
  return { writes, sink: { isTTY, write: (t: string) => void writes.push(t) } };
}

describe('progress', () => {
  it('shows count, rate and ETA', () => {
    expect(describeProgress('backfill', 'reports', 40, 100, 10)).toBe('backfill: 40/100 reports (40%), 4.0/s, ETA 15s');
    expect(describeProgress('backfill', 'reports', 100, 100, 4)).toBe('backfill: 100/100 reports (100%), 25/s, done in 4s');
    expect(describeProgress('backfill', 'reports', 0, 100, 3)).toBe('backfill: 0/100 reports (0%), 0.0/s, ETA ?');
    expect(describeProgress('backfill', 'reports', 5, 100, 0.2)).toBe('backfill: 5/100 reports (5%), ETA ?');
    expect(describeProgress('replay', 'events', 84, 84, 0.05)).toBe('replay: 84/84 events (100%), done in <1s');
    expect(describeProgress('sync', 'kinds', 3, null, 2)).toBe('sync: 3 kinds, 1.5/s');
    expect(formatDuration(3725)).toBe('1h02m');
    expect(formatDuration(125)).toBe('2m05s');
  });

  it('rewrites one line on a TTY', () => {
    let now = 0;
    const { writes, sink: s } = sink(true);
    const line = new ProgressLine(s, { label: 'replay', unit: 'events', now: () => now });
    now = 1000;
    line.update(10, 100);
    now = 1100;
    line.update(11, 100);
    line.finish(100, 100);
    expect(writes.every((w) => w.startsWith('\r'))).toBe(true);
    expect(writes.filter((w) => w.includes('\n'))).toHaveLength(1);
    expect(writes.at(-1)).toMatch(/100\/100 events \(100%\).*done in 1s\x1b\[K\n$/);
  });

  it('logs at most one line per interval otherwise, and always the final state', () => {
    let now = 0;
    const { writes, sink: s } = sink(false);
    const line = new ProgressLine(s, { label: 'backfill', unit: 'reports', intervalMs: 2000, now: () => now });
    for (let t = 0; t <= 5000; t += 500) {
      now = t;
      line.update(t / 100, 100);
    }
    line.finish(100, 100);
    // t = 0, 2000 and 4000, then the final line.
    expect(writes).toHaveLength(4);
    expect(writes.every((w) => w.endsWith('\n') && !w.includes('\r'))).toBe(true);
    expect(writes[1]).toBe('backfill: 20/100 reports (20%), 10/s, ETA 8s\n');
  });

  it('adds what the job is doing now after the count', () => {
    const { writes, sink: s } = sink(false);
    const line = new ProgressLine(s, { label: 'sync', unit: 'steps', now: () => 3000 });
    line.update(2, 10, 'CUSTOMER: 2000/4500 read from Intacct');
    expect(writes[0]).toBe('sync: 2/10 steps (20%), ETA ? - CUSTOMER: 2000/4500 read from Intacct\n');
  });
});
