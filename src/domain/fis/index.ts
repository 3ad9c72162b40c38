export * from './model.js';
export { parseFisDocument } from './parse.js';
export { FisDocumentError } from './reader.js';
export { summarizeFisDocument, type FisDocumentSummary } from './summary.js';
