import { describe, it } from 'vitest';
import { eventStoreContract } from '../../../../test/eventstore/contract.js';
import { EventStoreDbEventStore } from './eventstoredb-event-store.js';

// No EventStoreDB server can run on the build machine (no Docker engine, no server package): the
// contract runs against one only when ESDB_URL points at it, e.g. `docker compose up eventstore` and
// ESDB_URL=esdb://localhost:2113?tls=false.
const url = process.env.ESDB_URL;

if (url) {
  eventStoreContract('EventStoreDbEventStore', async () => {
    const store = EventStoreDbEventStore.connect(url);
    return { store, cleanup: () => store.close() };
  });
} else {
  describe('EventStore contract: EventStoreDbEventStore', () => {
    it.skip('runs only when ESDB_URL is set (no EventStoreDB server on this machine)', () => undefined);
  });
}
