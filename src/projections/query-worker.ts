/**
 * The postings reads of the API, on a worker thread with its own read-only connection to the read-model
 * file (WAL lets it read while the projection runner writes). Listing and counting thousands of rows is
 * synchronous SQLite: run on the main thread, a heavy query would hold the event loop that takes in
 * Concur webhooks. Messages: `{ id, method: 'list' | 'statistics', args }` -> `{ id, result }` or `{ id, error }`.
 */
import { parentPort, workerData } from 'node:worker_threads';
import Database from 'better-sqlite3';
import { PostingQueries } from './posting-queries.js';

const { path } = workerData as { path: string };
const db = new Database(path, { readonly: true, fileMustExist: true });
db.pragma('busy_timeout = 5000');
const queries = new PostingQueries(db);

parentPort!.on('message', (message: { id: number; method: 'list' | 'statistics'; args: unknown[] }) => {
  try {
    const result =
      message.method === 'list'
        ? queries.list(...(message.args as Parameters<PostingQueries['list']>))
        : queries.statistics(...(message.args as [string?, string?]));
    parentPort!.postMessage({ id: message.id, result });
  } catch (error) {
    parentPort!.postMessage({
      id: message.id,
      error: { name: (error as Error).name, message: (error as Error).message, code: (error as { code?: unknown }).code },
    });
  }
});
