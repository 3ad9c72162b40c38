import { describe, expect, it } from 'vitest';
import { createLogger } from '../../src/observability/logger.js';
import { installShutdown } from '../../src/app/shutdown.js';

/** The stop itself: graceful, bounded by a hard timeout, cut short by a second signal. */
function harness(stop: () => Promise<void>, timeoutMs = 200) {
  const lines: string[] = [];
  const exits: number[] = [];
  const log = createLogger({ json: true, write: (l) => lines.push(l) });
  const control = installShutdown({ log, stop, timeoutMs, exit: (code) => void exits.push(code) });
  return { lines, exits, control };
}

describe('shutdown', () => {
  it('a signal stops gracefully and exits 0, once however many times it is asked', async () => {
    let stops = 0;
    const h = harness(async () => void stops++);
    try {
      await Promise.all([h.control.shutdown('SIGTERM'), h.control.shutdown('SIGTERM')]);
      expect(stops).toBe(1);
      expect(h.exits).toEqual([0]);
      expect(h.lines.map((l) => JSON.parse(l).msg)).toEqual([
        'SIGTERM: stopping (draining in-flight postings, saving checkpoints)',
        expect.stringMatching(/^stopped in \d+ ms$/),
      ]);
    } finally {
      h.control.dispose();
    }
  });

  it('a stop that hangs is ended by the hard timeout (exit 1, said in the log)', async () => {
    const h = harness(() => new Promise<void>(() => undefined), 150);
    try {
      void h.control.shutdown('SIGTERM');
      await new Promise((r) => setTimeout(r, 400));
      expect(h.exits).toEqual([1]);
      expect(h.lines.some((l) => JSON.parse(l).msg === 'did not stop within 150 ms: exiting now')).toBe(true);
    } finally {
      h.control.dispose();
    }
  });

  it('a second signal while stopping exits at once', async () => {
    const h = harness(() => new Promise<void>(() => undefined), 5_000);
    try {
      // process.emit runs the handlers only: no signal is sent to the test process.
      process.emit('SIGINT', 'SIGINT');
      process.emit('SIGINT', 'SIGINT');
      expect(h.exits).toEqual([130]);
      expect(h.lines.some((l) => JSON.parse(l).msg.startsWith('SIGINT again: exiting'))).toBe(true);
    } finally {
      h.control.dispose();
    }
  });
});
