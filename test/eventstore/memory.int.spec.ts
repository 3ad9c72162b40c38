import { MemoryEventStore } from '../../src/adapters/eventstore/memory/memory-event-store.js';
import { eventStoreContract } from './contract.js';

eventStoreContract(
  'MemoryEventStore',
  async () => {
    const store = new MemoryEventStore();
    return { store, cleanup: () => store.close() };
  },
  { denseFreshLog: true },
);
