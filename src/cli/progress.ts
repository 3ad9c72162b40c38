/**
 * Progress of long work (count, rate, ETA) on stderr, so stdout keeps only results: on a TTY one line
 * rewritten in place, otherwise a log line at most every `intervalMs` (CI logs and pipes stay readable).
 */
export interface ProgressSink {
  write(text: string): void;
  isTTY: boolean;
}

export interface ProgressOptions {
  label: string;
  /** What is counted, e.g. "reports", "events". */
  unit: string;
  intervalMs?: number;
  now?: () => number;
}

export function formatDuration(seconds: number): string {
  if (!Number.isFinite(seconds) || seconds < 0) return '?';
  const s = Math.round(seconds);
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s`;
  return `${Math.floor(s / 3600)}h${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}m`;
}

/**
 * "42/100 reports (42%), 8.4/s, ETA 7s": rate over the whole run so far, which is steadier than per
 * tick. Under a second there is no meaningful rate (a quick job is often done before the first poll).
 */
export function describeProgress(label: string, unit: string, done: number, total: number | null, elapsedS: number): string {
  const rate = elapsedS >= 1 ? done / elapsedS : null;
  const rateText = rate === null ? null : `${rate >= 10 ? Math.round(rate) : rate.toFixed(1)}/s`;
  const finished = total !== null && done >= total;
  const tail = finished
    ? `done in ${elapsedS < 1 ? '<1s' : formatDuration(elapsedS)}`
    : total === null
      ? null
      : `ETA ${rate ? formatDuration((total - done) / rate) : '?'}`;
  const count = total === null ? `${done} ${unit}` : `${done}/${total} ${unit} (${total > 0 ? Math.floor((Math.min(done, total) / total) * 100) : 100}%)`;
  return `${label}: ${[count, rateText, tail].filter(Boolean).join(', ')}`;
}

export class ProgressLine {
  private readonly started: number;
  private lastLogged = -Infinity;
  private lastText = '';
  private readonly now: () => number;

  constructor(
    private readonly sink: ProgressSink,
    private readonly options: ProgressOptions,
  ) {
    this.now = options.now ?? Date.now;
    this.started = this.now();
  }

  /** `detail` (what the work is doing now) follows the count after " - ". */
  update(done: number, total: number | null, detail?: string | null): void {
    const counted = describeProgress(this.options.label, this.options.unit, done, total, (this.now() - this.started) / 1000);
    const text = detail ? `${counted} - ${detail}` : counted;
    if (this.sink.isTTY) {
      // \x1b[K clears what a longer previous line left behind.
      if (text !== this.lastText) this.sink.write(`\r${text}\x1b[K`);
    } else if (this.now() - this.lastLogged >= (this.options.intervalMs ?? 2000)) {
      this.sink.write(`${text}\n`);
      this.lastLogged = this.now();
    }
    this.lastText = text;
  }

  /** The last state once more (always, so a log shows the final count) and the end of the TTY line. */
  finish(done: number, total: number | null): void {
    const text = describeProgress(this.options.label, this.options.unit, done, total, (this.now() - this.started) / 1000);
    this.sink.write(this.sink.isTTY ? `\r${text}\x1b[K\n` : `${text}\n`);
  }
}
