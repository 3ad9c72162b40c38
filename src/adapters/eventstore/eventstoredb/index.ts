export { EventStoreDbEventStore } from './eventstoredb-event-store.js';
export { toDomainError, describeServer } from './errors.js';
