import type { RecordedEvent } from '../../domain/events/envelope.js';
import type { EventHandler, SubscribeOptions, Subscription } from '../../domain/eventstore/port.js';

interface LogReader {
  readAll(options: { after?: bigint; maxCount?: number }): Promise<RecordedEvent[]>;
}

/**
 * Catch-up-then-follow subscription over any store that can read its log in pages and tell when
 * something was appended (`listen` registers a wake-up and returns its removal). Shared by the
 * in-process stores; a store shared between processes also passes a poll interval.
 */
export function followLog(
  store: LogReader,
  handler: EventHandler,
  options: SubscribeOptions,
  listen: (wake: () => void) => () => void,
  pollIntervalMs?: number,
  pageSize = 1000,
): Subscription {
  let stopped = false;
  let wake: (() => void) | null = null;
  let markCaughtUp!: () => void;
  const caughtUp = new Promise<void>((resolve) => (markCaughtUp = resolve));
  // Set by every wake-up, cleared just before each read: an append that lands while a page is being
  // read or handled (when nobody waits on `wake`) must still cause another read, or it would sit
  // unseen until the next append (forever, in a store without polling).
  let signalled = false;
  const unlisten = listen(() => {
    signalled = true;
    wake?.();
  });
  let checkpoint = options.after;

  const run = async (): Promise<void> => {
    while (!stopped) {
      signalled = false;
      const page = await store.readAll({ after: checkpoint, maxCount: pageSize });
      for (const event of page) {
        if (stopped) return;
        await handler(event);
        checkpoint = event.position;
      }
      if (page.length < pageSize) {
        markCaughtUp();
        if (stopped || signalled) continue;
        let timer: ReturnType<typeof setTimeout> | undefined;
        await new Promise<void>((resolve) => {
          wake = resolve;
          if (pollIntervalMs !== undefined) timer = setTimeout(resolve, pollIntervalMs).unref?.();
        });
        clearTimeout(timer);
        wake = null;
      }
    }
  };

  const done = run().catch((error: unknown) => {
    const err = error instanceof Error ? error : new Error(String(error));
    if (!stopped) {
      stopped = true;
      if (options.onError) options.onError(err);
      else console.error('subscription stopped:', err);
    }
  });

  return {
    caughtUp,
    async stop() {
      stopped = true;
      unlisten();
      wake?.();
      await done;
    },
  };
}
