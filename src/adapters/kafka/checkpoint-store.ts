/**
 * Where the domain publisher remembers the last global position the broker acknowledged. The
 * production one is `SqliteCheckpointStore` (src/projections/checkpoint-store.ts, synchronous); an
 * async store (e.g. one kept in EventStoreDB) fits too.
 */
export interface CheckpointStore {
  load(name: string): Promise<bigint | undefined> | bigint | undefined;
  save(name: string, position: bigint): Promise<void> | void;
}
