import { createServer } from 'node:net';
import { describe, expect, it } from 'vitest';
import { newEvent } from '../../../domain/events/envelope.js';
import { EventStoreUnavailableError } from '../../../domain/eventstore/port.js';
import { EventStoreDbEventStore } from './eventstoredb-event-store.js';

/** A loopback port that nothing listens on (bound, then released). */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as { port: number }).port;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

describe('EventStoreDbEventStore against an unreachable server', () => {
  it('rejects an append with EventStoreUnavailableError naming the server, without credentials', async () => {
    const port = await closedPort();
    const store = EventStoreDbEventStore.connect(`esdb://admin:s3cret@127.0.0.1:${port}?tls=false&defaultDeadline=3000`);
    try {
      const error = await store.appendToStream('doc-1', [newEvent('T', {}, { actor: 'test' })], { expectedRevision: 'no_stream' }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(EventStoreUnavailableError);
      expect((error as Error).message).toContain(`esdb://127.0.0.1:${port}`);
      expect((error as Error).message).not.toContain('s3cret');
    } finally {
      await store.close();
    }
  });

  it('refuses a connection string that is not esdb:// or esdb+discover://', () => {
    expect(() => EventStoreDbEventStore.connect('sqlite:./data/x.db')).toThrow(/Not an EventStoreDB connection string/);
  });
});
