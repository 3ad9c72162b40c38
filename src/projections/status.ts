/** What `runner.status()` reports per projection (the GraphQL `projections` query shows it). */
export interface ProjectionStatus {
  name: string;
  version: number;
  /** Generation serving queries. */
  generation: number;
  /** Last position applied to the serving generation (-1 before the first event). */
  position: bigint;
  headPosition: bigint;
  /** Events between `position` and the head. */
  lag: number;
  /** `retrying`: paused by a storage fault (disk full, I/O error), resuming by itself. */
  state: 'live' | 'rebuilding' | 'retrying' | 'failed' | 'stopped';
  rebuild?: {
    version: number;
    generation: number;
    position: bigint;
    lag: number;
    /** 0..1, events replayed over events to replay. */
    progress: number;
    startedAt: string;
  };
  /** Why the projection stopped, with what to do. */
  error?: string;
}
