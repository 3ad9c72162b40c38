import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import type { RecordedEvent } from '../../../domain/events/envelope.js';
import { resilientSubscription, type SubscriptionSource } from './resilient-subscription.js';

/** A client subscription stand-in: a real object-mode Node stream, like the client's Transform. */
class FakeSubscription extends PassThrough implements SubscriptionSource<RecordedEvent> {
  unsubscribed = false;
  constructor(readonly openedAfter: bigint | undefined) {
    super({ objectMode: true });
  }
  async unsubscribe(): Promise<void> {
    this.unsubscribed = true;
  }
}

function event(position: number): RecordedEvent {
  return {
    id: `e-${position}`,
    type: 'T',
    schemaVersion: 1,
    data: {},
    metadata: { correlationId: 'c', causationId: null, actor: 'test', occurredAt: '2026-01-01T00:00:00.000Z' },
    streamId: 's',
    revision: position,
    position: BigInt(position * 100),
    recordedAt: '2026-01-01T00:00:00.000Z',
  };
}

const until = async (check: () => boolean): Promise<void> => {
  for (let i = 0; i < 200 && !check(); i++) await new Promise((r) => setTimeout(r, 5));
  expect(check()).toBe(true);
};

describe('resilientSubscription', () => {
  it('after a drop, resubscribes from the last delivered position and delivers no duplicates', async () => {
    const opened: FakeSubscription[] = [];
    const delays: number[] = [];
    const seen: bigint[] = [];
    const sub = resilientSubscription<RecordedEvent>({
      open: (after) => {
        const fake = new FakeSubscription(after);
        opened.push(fake);
        return fake;
      },
      toEvent: (e) => e,
      handler: (e) => void seen.push(e.position),
      sleep: async (ms) => void delays.push(ms),
    });
    await until(() => opened.length === 1);
    opened[0]!.write(event(1));
    opened[0]!.write(event(2));
    await until(() => seen.length === 2);
    opened[0]!.destroy(Object.assign(new Error('14 UNAVAILABLE: connection reset'), { code: 14 }));

    await until(() => opened.length === 2);
    expect(opened[0]!.openedAfter).toBeUndefined();
    expect(opened[1]!.openedAfter).toBe(200n);
    expect(opened[0]!.unsubscribed).toBe(true);
    // A server may replay the checkpoint event itself (reads from a position are inclusive): skipped.
    opened[1]!.write(event(2));
    opened[1]!.write(event(3));
    await until(() => seen.length === 3);
    expect(seen).toEqual([100n, 200n, 300n]);
    expect(sub.resubscriptions).toBe(1);
    expect(delays).toEqual([200]);
    await sub.stop();
  });

  it('backs off exponentially while the server stays down, then gives up with the mapped error', async () => {
    const delays: number[] = [];
    const errors: Error[] = [];
    const sub = resilientSubscription<RecordedEvent>({
      open: () => {
        const fake = new FakeSubscription(undefined);
        setImmediate(() => fake.destroy(new Error('14 UNAVAILABLE')));
        return fake;
      },
      toEvent: (e) => e,
      handler: () => undefined,
      after: 500n,
      backoff: { initialMs: 10, maxMs: 50, maxAttempts: 5 },
      sleep: async (ms) => void delays.push(ms),
      describeFailure: (error) => new Error(`EventStoreDB at esdb://x:2113 is unreachable: ${(error as Error).message}`),
      onError: (error) => void errors.push(error),
    });
    await until(() => errors.length === 1);
    expect(delays).toEqual([10, 20, 40, 50]);
    expect(errors[0]!.message).toContain('esdb://x:2113');
    await sub.stop();
  });

  it('stops on a handler error instead of re-applying the event', async () => {
    const opened: FakeSubscription[] = [];
    const errors: Error[] = [];
    resilientSubscription<RecordedEvent>({
      open: (after) => {
        const fake = new FakeSubscription(after);
        opened.push(fake);
        return fake;
      },
      toEvent: (e) => e,
      handler: () => {
        throw new Error('projection bug');
      },
      onError: (error) => void errors.push(error),
    });
    await until(() => opened.length === 1);
    opened[0]!.write(event(1));
    await until(() => errors.length === 1);
    expect(errors[0]!.message).toBe('projection bug');
    expect(opened).toHaveLength(1);
  });

  it('resolves caughtUp on the caught-up signal', async () => {
    const opened: FakeSubscription[] = [];
    const sub = resilientSubscription<RecordedEvent>({
      open: (after) => {
        const fake = new FakeSubscription(after);
        opened.push(fake);
        return fake;
      },
      toEvent: (e) => e,
      handler: () => undefined,
    });
    let caught = false;
    void sub.caughtUp.then(() => (caught = true));
    await until(() => opened.length === 1);
    await new Promise((r) => setTimeout(r, 20));
    expect(caught).toBe(false);
    opened[0]!.emit('caughtUp');
    await until(() => caught);
    await sub.stop();
  });

  it('without the signal, resolves caughtUp once the head seen at start is delivered', async () => {
    const opened: FakeSubscription[] = [];
    const sub = resilientSubscription<RecordedEvent>({
      open: (after) => {
        const fake = new FakeSubscription(after);
        opened.push(fake);
        return fake;
      },
      toEvent: (e) => e,
      handler: () => undefined,
      headAtStart: async () => 200n,
    });
    let caught = false;
    void sub.caughtUp.then(() => (caught = true));
    await until(() => opened.length === 1);
    opened[0]!.write(event(1));
    await new Promise((r) => setTimeout(r, 20));
    expect(caught).toBe(false);
    opened[0]!.write(event(2));
    await until(() => caught);
    await sub.stop();
  });
});
