export { prepareCached, type Projection, type ProjectionContext } from './projection.js';
export { ProjectionRunner, type ProjectionRunnerOptions } from './runner.js';
export type { ProjectionStatus } from './status.js';
export { SqliteCheckpointStore } from './checkpoint-store.js';
export { openReadModelDb, readModelPath } from './read-model-db.js';
export { ProjectionApplyError } from './generation.js';
