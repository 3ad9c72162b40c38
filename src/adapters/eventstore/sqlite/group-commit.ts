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
  private pending: { request: TRequest; resolve: (r: TResult) => void; reject: (e: unknown) => void }[] = [];
  private scheduled = false;

  /**
   * @param flush receives every queued request and returns, in the same order, each request's result
   *   or the error that only that request failed with. Throwing fails the whole group.
   */
  constructor(private readonly flush: (requests: TRequest[]) => (TResult | Error)[]) {}

  enqueue(request: TRequest): Promise<TResult> {
    return new Promise<TResult>((resolve, reject) => {
      this.pending.push({ request, resolve, reject });
      if (!this.scheduled) {
        this.scheduled = true;
        setImmediate(() => this.drain());
      }
    });
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
      for (const p of group) p.reject(error);
      return;
    }
    group.forEach((p, i) => {
      const outcome = outcomes[i]!;
      if (outcome instanceof Error) p.reject(outcome);
      else p.resolve(outcome);
    });
  }
}
