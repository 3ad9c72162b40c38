export { preparePosting } from './prepare-posting.js';
export type { DimensionCheck, PostingOptions, PostingRejection, PostingResult, ReferenceStatus, ReferenceTarget } from './types.js';
export { batchTitle, fitBatchTitle, MEMO_MAX, reversalTitle, TITLE_MAX } from './text.js';
