import type { ProgressSink } from './progress.js';

/** Where a command writes: results to `out` (stdout), progress and notes to `err` (stderr). */
export interface CliIo {
  out(text: string): void;
  err: ProgressSink;
  env: Record<string, string | undefined>;
  /** Poll interval for jobs and rebuilds. */
  pollMs: number;
}

export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));
