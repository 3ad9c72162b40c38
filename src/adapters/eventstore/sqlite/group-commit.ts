/**
 * Collects the requests made during one turn of the event loop and hands them to `flush` together,
 * so that many concurrent callers share one transaction (and one fsync) instead of paying one each.
 *
 * better-sqlite3 is synchronous: while a flush commits, no other JavaScript runs, so callers that
 * were awaiting the previous flush re-enter the queue in their continuations (microtasks) and are
 * all present when the next `setImmediate` fires. That is what makes the batches grow by themselves
 * under load, with no timer that would add latency when the store is idle.
 */
export class GroupCommitQueue<TRequest, TResult> {
  /** `settle` gets the request's own outcome (a result or its own error), `fail` the error of the whole group. */
  private pending: { request: TRequest; settle: (outcome: TResult | Error) => void; fail: (e: unknown) => void }[] = [];
  private scheduled = false;

  /**
   * @param flush receives every queued request and returns, in the same order, each request's result
   *   or the error that only that request failed with. Throwing fails the whole group.
   */
  constructor(private readonly flush: (requests: TRequest[]) => (TResult | Error)[]) {}

  enqueue(request: TRequest): Promise<TResult> {
    return new Promise<TResult>((resolve, reject) => {
      this.pending.push({ request, settle: (o) => (o instanceof Error ? reject(o) : resolve(o)), fail: reject });
      this.schedule();
    });
  }

  /**
   * Queues the requests together, so they are flushed in the same group (one transaction), in this
   * order. Resolves with each request's result or its own error; rejects when the whole group failed.
   */
  enqueueAll(requests: readonly TRequest[]): Promise<(TResult | Error)[]> {
    if (requests.length === 0) return Promise.resolve([]);
    return new Promise<(TResult | Error)[]>((resolve, reject) => {
      const outcomes = new Array<TResult | Error>(requests.length);
      let left = requests.length;
      requests.forEach((request, i) => {
        this.pending.push({
          request,
          settle: (o) => {
            outcomes[i] = o;
            if (--left === 0) resolve(outcomes);
          },
          // The group fails as one: every entry of it gets the same error, the first one decides.
          fail: reject,
        });
      });
      this.schedule();
    });
  }

  private schedule(): void {
    if (this.scheduled) return;
    this.scheduled = true;
    setImmediate(() => this.drain());
  }

  /** Flushes what is queued now (also used by `close()` so nothing queued is silently dropped). */
  drain(): void {
    this.scheduled = false;
    const group = this.pending;
    this.pending = [];
    if (group.length === 0) return;
    let outcomes: (TResult | Error)[];
    try {
      outcomes = this.flush(group.map((p) => p.request));
    } catch (error) {
      for (const p of group) p.fail(error);
      return;
    }
    for (const [i, p] of group.entries()) p.settle(outcomes[i]!);
  }
}
