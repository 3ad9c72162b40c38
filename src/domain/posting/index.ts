export { preparePosting } from './prepare-posting.js';
export type { DimensionCheck, PostingOptions, PostingRejection, PostingResult, ReferenceStatus, ReferenceTarget } from './types.js';
export { MEMO_MAX, TITLE_MAX } from './text.js';
