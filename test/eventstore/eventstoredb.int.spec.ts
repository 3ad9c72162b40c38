/**
 * The shared contract against a real EventStoreDB, only when ESDB_URL points at one
 * (e.g. `docker compose up eventstore`, then ESDB_URL=esdb://localhost:2113?tls=false).
 * No EventStoreDB server can run on the build machine, so without ESDB_URL this file is skipped.
 * The adapter is imported lazily so that this file loads even where it is not built.
 */
import type { EventStore } from '../../src/domain/eventstore/port.js';
import { describe } from 'vitest';
import { eventStoreContract } from './contract.js';

const url = process.env.ESDB_URL;

describe.skipIf(!url)('EventStoreDB (ESDB_URL)', () => {
  eventStoreContract(
    'EventStoreDbEventStore',
    async () => {
      const { EventStoreDbEventStore } = (await import('../../src/adapters/eventstore/eventstoredb/index.js')) as {
        EventStoreDbEventStore: { connect(connectionString: string): EventStore | Promise<EventStore> };
      };
      const store = await EventStoreDbEventStore.connect(url!);
      return { store, cleanup: () => store.close() };
    },
    { crossStreamIdempotency: false },
  );
});
