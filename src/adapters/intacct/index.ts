export { IntacctGatewayClient, type GatewayClientOptions, type GatewayMetrics, type ExecuteOptions } from './gateway-client.js';
export { IntacctSessionManager } from './session.js';
export { IntacctPostingWorker, type PostingWorkerOptions, type GatewayExecutor } from './posting-worker.js';
export { SqlitePostingState, type CheckpointStore } from './posting-state.js';
export { IntacctReferenceData, REFERENCE_FIELDS, type ReferenceObject, type EmployeeInput, type VendorInput } from './reference.js';
export { serializeGlBatch, UnpostableEntryError } from './glbatch-serializer.js';
export { classifyIntacctErrors } from './classify.js';
export * from './errors.js';
