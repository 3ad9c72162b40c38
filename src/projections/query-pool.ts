import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { ListOptions, PostingFilter, PostingPage, PostingQueries } from './posting-queries.js';

const require = createRequire(import.meta.url);

/**
 * The API's postings reads (`list`, `statistics`) answered by a worker thread (query-worker.ts), so
 * the main event loop keeps taking in webhooks while a heavy query runs. Requests are answered in
 * order; if the worker dies, the next reads start a new one.
 */
export class PostingReadWorker {
  private worker: Worker | null = null;
  private next = 0;
  private readonly pending = new Map<number, { resolve: (value: unknown) => void; reject: (error: Error) => void }>();
  private closed = false;

  constructor(private readonly path: string) {}

  list(filter: PostingFilter, first: number, after?: string, options?: ListOptions): Promise<PostingPage> {
    return this.call('list', [filter, first, after, options]) as Promise<PostingPage>;
  }

  statistics(from?: string, to?: string): Promise<ReturnType<PostingQueries['statistics']>> {
    return this.call('statistics', [from, to]) as Promise<ReturnType<PostingQueries['statistics']>>;
  }

  async close(): Promise<void> {
    this.closed = true;
    const worker = this.worker;
    this.worker = null;
    await worker?.terminate();
  }

  private call(method: 'list' | 'statistics', args: unknown[]): Promise<unknown> {
    if (this.closed) return Promise.reject(new Error('the postings read worker is closed'));
    const worker = this.worker ?? this.start();
    const id = this.next++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      worker.postMessage({ id, method, args });
    });
  }

  private start(): Worker {
    const source = new URL(import.meta.url.endsWith('.ts') ? './query-worker.ts' : './query-worker.js', import.meta.url);
    // From TypeScript sources (npm start, the tests) the worker registers the tsx loader first: module
    // hooks of the main thread do not reach worker threads on Node 20.
    const worker = source.pathname.endsWith('.ts')
      ? new Worker(
          `import(${JSON.stringify(pathToFileURL(require.resolve('tsx/esm/api').replace(/\.cjs$/, '.mjs')).href)}).then((tsx) => { tsx.register(); return import(${JSON.stringify(source.href)}); });`,
          { eval: true, workerData: { path: this.path } },
        )
      : new Worker(source, { workerData: { path: this.path } });
    worker.unref();
    worker.on('message', (m: { id: number; result?: unknown; error?: { name: string; message: string; code?: unknown } }) => {
      const p = this.pending.get(m.id);
      if (!p) return;
      this.pending.delete(m.id);
      // The name and code travel, so the API classifies the error as it would on the main thread.
      if (m.error) p.reject(Object.assign(new Error(m.error.message), { name: m.error.name, ...(m.error.code === undefined ? {} : { code: m.error.code }) }));
      else p.resolve(m.result);
    });
    const fail = (error: Error): void => {
      if (this.worker === worker) this.worker = null;
      for (const p of this.pending.values()) p.reject(error);
      this.pending.clear();
    };
    worker.on('error', fail);
    worker.on('exit', (code) => fail(new Error(`the postings read worker exited (${code})`)));
    this.worker = worker;
    return worker;
  }
}
