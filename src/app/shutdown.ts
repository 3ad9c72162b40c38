import type { Logger } from '../observability/logger.js';

/**
 * Stopping the service: SIGTERM or SIGINT start a graceful stop (no new input, in-flight postings
 * finish and record their outcome, checkpoints saved); a hard timeout ends the process if that
 * takes too long, and a second signal ends it at once.
 *
 * Under `npm start` the service is not npm's direct child: npm runs the script through `sh -c`,
 * and a shell that does not `exec` its last command (dash, Debian's /bin/sh) dies of the SIGTERM
 * npm forwards to it without passing it on. The node process would then be left running with no
 * parent. So when started by npm, the service also stops when its parent goes away (it is
 * re-parented: `process.ppid` changes), exactly as on SIGTERM.
 */
export const SHUTDOWN_TIMEOUT_MS = 8_000;

export interface ShutdownOptions {
  log: Logger;
  /** Stops everything; resolves when done. */
  stop: () => Promise<void>;
  timeoutMs?: number;
  /** Watch for the parent's exit (on when run by npm: `npm_lifecycle_event` is set). */
  watchParent?: boolean;
  parentPollMs?: number;
  exit?: (code: number) => void;
}

export interface ShutdownControl {
  /** Starts the stop as a signal would (idempotent); resolves when the process is about to exit. */
  shutdown(reason: string): Promise<void>;
  /** Removes the handlers and the watch (tests). */
  dispose(): void;
}

export function installShutdown(options: ShutdownOptions): ShutdownControl {
  const { log } = options;
  const exit = options.exit ?? ((code: number) => process.exit(code));
  const timeoutMs = options.timeoutMs ?? SHUTDOWN_TIMEOUT_MS;
  let stopping: Promise<void> | null = null;

  const shutdown = (reason: string): Promise<void> => {
    if (stopping) return stopping;
    const started = Date.now();
    log.info(`${reason}: stopping (draining in-flight postings, saving checkpoints)`);
    const hard = setTimeout(() => {
      log.error(`did not stop within ${timeoutMs} ms: exiting now`, { reason });
      exit(1);
    }, timeoutMs);
    hard.unref();
    stopping = options.stop().then(
      () => {
        clearTimeout(hard);
        log.info(`stopped in ${Date.now() - started} ms`, { reason });
        exit(0);
      },
      (error: unknown) => {
        clearTimeout(hard);
        log.error('error while stopping', { reason, error: error instanceof Error ? error.message : String(error) });
        exit(1);
      },
    );
    return stopping;
  };

  const onSignal = (signal: NodeJS.Signals): void => {
    if (stopping) {
      log.warn(`${signal} again: exiting without waiting for the stop to finish`);
      exit(signal === 'SIGINT' ? 130 : 143);
      return;
    }
    void shutdown(signal);
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);

  let watch: NodeJS.Timeout | null = null;
  if (options.watchParent) {
    const parent = process.ppid;
    watch = setInterval(() => {
      if (process.ppid !== parent) {
        clearInterval(watch!);
        void shutdown(`parent process ${parent} exited`);
      }
    }, options.parentPollMs ?? 200);
    watch.unref();
  }

  return {
    shutdown,
    dispose() {
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
      if (watch) clearInterval(watch);
    },
  };
}
