export { SqliteEventStore, type SqliteEventStoreOptions } from './sqlite-event-store.js';
export { EventStoreFileError, STORE_FORMAT_VERSION, type SynchronousMode } from './schema.js';
