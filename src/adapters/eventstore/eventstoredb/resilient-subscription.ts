import type { RecordedEvent } from '../../../domain/events/envelope.js';
import type { EventHandler, Subscription } from '../../../domain/eventstore/port.js';
import { ConnectorError } from '../../../domain/errors.js';

/** What the adapter needs of a client subscription (the client's `AllStreamSubscription` fits). */
export interface SubscriptionSource<T> extends AsyncIterable<T> {
  on(event: 'caughtUp', listener: () => void): unknown;
  unsubscribe(): Promise<void>;
  /** Ends a pending iteration at once (Node readables have it). */
  destroy?(): void;
}

export interface Backoff {
  initialMs: number;
  maxMs: number;
  /** Consecutive failed (re)subscriptions without a delivered event before giving up. */
  maxAttempts: number;
}

export const defaultBackoff: Backoff = { initialMs: 200, maxMs: 10_000, maxAttempts: 30 };

export interface ResilientSubscriptionOptions<T> {
  /** Opens a client subscription delivering events strictly after `after` (undefined: from the start). */
  open(after: bigint | undefined): SubscriptionSource<T>;
  /** Maps a delivered item; null skips it (system events, unresolved links). */
  toEvent(item: T): RecordedEvent | null;
  handler: EventHandler;
  after?: bigint;
  onError?: (error: Error) => void;
  /**
   * Head position when subscribing, for servers that never send the caught-up signal: reaching it
   * counts as caught up. Resolves to -1n for an empty store.
   */
  headAtStart?: () => Promise<bigint>;
  /** Turns a give-up error into the domain's (e.g. EventStoreUnavailableError naming the server). */
  describeFailure?: (error: unknown) => Error;
  backoff?: Backoff;
  sleep?: (ms: number) => Promise<void>;
}

export interface ResilientSubscription extends Subscription {
  /** How many times the client subscription was reopened after a drop. */
  readonly resubscriptions: number;
}

/**
 * Catch up then follow `$all`, surviving dropped client subscriptions: after a drop it reopens from
 * the last position it delivered, with exponential backoff, and drops anything at or before that
 * position, so the handler sees each event once and in order. A handler error is not a drop: it stops
 * the subscription and goes to `onError`, because retrying would apply the same event again.
 */
export function resilientSubscription<T>(options: ResilientSubscriptionOptions<T>): ResilientSubscription {
  const backoff = options.backoff ?? defaultBackoff;
  const sleep = options.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms).unref?.()));
  let stopped = false;
  let current: SubscriptionSource<T> | null = null;
  let lastDelivered = options.after;
  let resubscriptions = 0;
  let markCaughtUp!: () => void;
  const caughtUp = new Promise<void>((resolve) => (markCaughtUp = resolve));
  let target: bigint | null = null;
  let progress = false;
  let wakeSleep: (() => void) | null = null;

  const reachedTarget = (position: bigint | undefined): void => {
    if (target !== null && (target < 0n || (position !== undefined && position >= target))) markCaughtUp();
  };

  const deliver = async (source: SubscriptionSource<T>): Promise<void> => {
    for await (const item of source) {
      if (stopped) break;
      const event = options.toEvent(item);
      if (!event) continue;
      if (lastDelivered !== undefined && event.position <= lastDelivered) continue;
      try {
        await options.handler(event);
      } catch (error) {
        throw new HandlerError(error);
      }
      lastDelivered = event.position;
      progress = true;
      reachedTarget(lastDelivered);
    }
  };

  const run = async (): Promise<void> => {
    if (options.headAtStart) {
      target = await options.headAtStart();
      reachedTarget(lastDelivered);
    }
    let failures = 0;
    while (!stopped) {
      const source = options.open(lastDelivered);
      current = source;
      source.on('caughtUp', markCaughtUp);
      progress = false;
      try {
        await deliver(source);
        if (stopped) return;
        // The server ended the stream without an error: treat it as a drop and reopen.
        failures = 0;
      } catch (error) {
        if (error instanceof HandlerError || stopped) throw error;
        // Only failures in a row without any delivered event count towards giving up.
        failures = progress ? 1 : failures + 1;
        if (failures >= backoff.maxAttempts) throw options.describeFailure ? options.describeFailure(error) : error;
      } finally {
        await source.unsubscribe().catch(() => undefined);
      }
      if (stopped) return;
      const delay = Math.min(backoff.maxMs, backoff.initialMs * 2 ** Math.max(0, failures - 1));
      await Promise.race([sleep(delay), new Promise<void>((resolve) => (wakeSleep = resolve))]);
      wakeSleep = null;
      if (stopped) return;
      resubscriptions++;
    }
  };

  const done = run().catch((error: unknown) => {
    const err = error instanceof HandlerError ? error.original : error instanceof Error ? error : new Error(String(error));
    if (stopped) return;
    stopped = true;
    if (options.onError) options.onError(err);
    else console.error('EventStoreDB subscription stopped:', err);
  });

  return {
    caughtUp,
    get resubscriptions() {
      return resubscriptions;
    },
    async stop() {
      stopped = true;
      wakeSleep?.();
      await current?.unsubscribe().catch(() => undefined);
      current?.destroy?.();
      await done;
    },
  };
}

class HandlerError extends ConnectorError {
  readonly original: Error;
  constructor(error: unknown) {
    super('handler failed');
    this.original = error instanceof Error ? error : new Error(String(error));
  }
}
