import type { RecordedEvent } from '../../domain/events/envelope.js';
import type { EventStore, Subscription } from '../../domain/eventstore/port.js';
import { mayHaveRun } from '../../domain/errors.js';
import { describeStorageFault, storageRetryDelayMs } from '../../domain/eventstore/storage-fault.js';
import { runDocumentCommand } from '../../domain/document/command-handler.js';
import { LifecycleError, type PostingOutcome } from '../../domain/document/decider.js';
import type { DocumentEventOf, PostingError, PostingExchange } from '../../domain/document/events.js';
import { failedPostingKeys, foldDocument, outstandingPosting, recordOf } from '../../domain/document/state.js';
import { targetOf, type JournalEntry } from '../../domain/journal/journal-entry.js';
import { classifyIntacctErrors, transientError } from './classify.js';
import { IntacctAuthenticationError, IntacctControlError, IntacctGatewayError, IntacctNetworkError, IntacctUncertainOutcomeError } from './errors.js';
import { documentExchange, type RawExchange } from './exchange-record.js';
import type { ExecuteOptions } from './gateway-client.js';
import { createdRecordNo, recordNosFound } from './glbatch-readback.js';
import { UnpostableEntryError, type GlBatchOptions } from './glbatch-serializer.js';
import { readBackFunctionFor } from './record-readback.js';
import { serializeRecord, serializeReversal } from './record-serializer.js';
import type { QueuedPosting, SqlitePostingState } from './posting-state.js';
import type { GatewayFunction } from './xml/envelope.js';
import type { FunctionResult } from './xml/response-parser.js';
import { ConnectorError } from '../../domain/errors.js';

/** The part of the gateway client the worker needs. */
export interface GatewayExecutor {
  execute(functions: readonly GatewayFunction[], options: ExecuteOptions): Promise<FunctionResult[]>;
}

export interface PostingWorkerOptions {
  store: EventStore;
  gateway: GatewayExecutor;
  state: SqlitePostingState;
  name?: string;
  /** Documents per gateway request (each its own function and controlid). */
  batchSize?: number;
  /** Requests in flight at once; match INTACCT_MAX_CONCURRENCY. */
  parallelBatches?: number;
  retry?: { baseDelayMs?: number; maxDelayMs?: number };
  glBatch?: GlBatchOptions;
  now?: () => number;
  onError?: (error: Error) => void;
}

const ACTOR = 'system:intacct-posting';

class WorkerKilledError extends ConnectorError {
  override readonly name = 'WorkerKilledError';
}

interface Work {
  item: QueuedPosting;
  /** Exactly the entry of the document state this attempt was decided from. */
  entry: JournalEntry;
  attempt: number;
  /** The PostingRequested event that asked for this entry (causation of the outcome). */
  requestId: string | null;
  correlationId: string;
  /**
   * The document was superseded before this posting was known to have landed: never create it now,
   * only read back whether an earlier attempt did (then it is recorded, and reversed).
   */
  readBackOnly: boolean;
  /** This posting reverses an earlier one (the domain's mirror entry, key `…-REV`). */
  reversal: boolean;
  /** RECORDNO of the record a reversal reverses (non-GL objects are reversed by it); null otherwise. */
  reverses: string | null;
}

/** The XML recorded on an outcome event (docs/contract.md, Audit trail). */
interface Recorded {
  exchange?: PostingExchange;
  earlierExchange?: PostingExchange;
}

/** Keeps the last round trip of one gateway call: the one that decided its outcome. */
class ExchangeTap {
  last: RawExchange | null = null;
  readonly observe = (x: RawExchange): void => {
    this.last = x;
  };

  /** This document's part of the last round trip (nothing when no request left, e.g. no session). */
  for(controlId: string): PostingExchange | undefined {
    return this.last ? documentExchange(this.last, controlId) : undefined;
  }
}

/**
 * Posts each PostingRequested as one GLBATCH, exactly once. The posting key is the function
 * controlid (with uniqueid=true) and the REFERENCENO; whenever the outcome of a create is unknown or
 * Intacct calls it a duplicate, the GLBATCH is read back by REFERENCENO and its RECORDNO recorded
 * instead of posting again. The queue of due postings lives in SQLite, so retries survive restarts.
 */
export class IntacctPostingWorker {
  private readonly name: string;
  private readonly batchSize: number;
  private readonly parallel: number;
  private readonly now: () => number;
  private subscription: Subscription | null = null;
  private running = false;
  private killed = false;
  private readonly inFlight = new Set<string>();
  private readonly batches = new Set<Promise<void>>();
  private wake: (() => void) | null = null;
  private loop: Promise<void> | null = null;
  private handledUpTo = -1n;
  /**
   * A local failure (disk full, the event store refusing appends, an I/O error): the worker holds all
   * sending until `pausedUntil`, waiting longer while it lasts, and resumes by itself. Intacct's own
   * failures are not this: they are outcomes, recorded per document.
   */
  private localFault: { since: string; message: string; failures: number } | null = null;
  private pausedUntil = 0;
  private resubscribeTimer: ReturnType<typeof setTimeout> | null = null;

  constructor(private readonly options: PostingWorkerOptions) {
    this.name = options.name ?? 'intacct-posting';
    this.batchSize = options.batchSize ?? 25;
    this.parallel = options.parallelBatches ?? 2;
    this.now = options.now ?? Date.now;
  }

  async start(): Promise<void> {
    this.running = true;
    const after = await this.options.state.load(this.name);
    this.handledUpTo = after ?? -1n;
    this.subscribe(after);
    this.loop = this.dispatch();
    await this.subscription!.caughtUp;
    this.options.state.endRecovery?.();
  }

  /** Whether the worker can do its work now; why not, when it cannot (for /readyz). */
  health(): { ok: boolean; detail: string } {
    const f = this.localFault;
    if (f) {
      return { ok: false, detail: `paused since ${f.since} after ${f.failures} local failure(s): ${describeStorageFault(f.message)}; it retries by itself` };
    }
    return { ok: true, detail: `${this.options.state.size()} posting(s) queued, ${this.inFlight.size} in flight` };
  }

  private subscribe(after: bigint | undefined): void {
    this.subscription = this.options.store.subscribeToAll((e) => this.onEvent(e), {
      after,
      onError: (e) => {
        if (e instanceof WorkerKilledError || this.killed || !this.running) return;
        // Recording a queue change failed (disk full…): the subscription ended at the last event
        // handled. Start it again from the saved checkpoint once the pause is over.
        this.fail(e);
        this.noteLocalFault(e);
        this.resubscribeLater();
      },
    });
  }

  private resubscribeLater(): void {
    if (this.resubscribeTimer) return;
    this.resubscribeTimer = setTimeout(
      async () => {
        this.resubscribeTimer = null;
        if (!this.running || this.killed) return;
        try {
          const after = await this.options.state.load(this.name);
          this.handledUpTo = after ?? -1n;
          this.subscribe(after);
          this.wake?.();
        } catch (error) {
          this.noteLocalFault(error instanceof Error ? error : new Error(String(error)));
          this.resubscribeLater();
        }
      },
      Math.max(0, this.pausedUntil - this.now()),
    );
    this.resubscribeTimer.unref?.();
  }

  private noteLocalFault(error: Error): void {
    const failures = (this.localFault?.failures ?? 0) + 1;
    this.localFault = { since: this.localFault?.since ?? new Date().toISOString(), message: error.message, failures };
    this.pausedUntil = this.now() + storageRetryDelayMs(failures);
  }

  private clearLocalFault(): void {
    this.localFault = null;
    this.pausedUntil = 0;
  }

  /** Graceful: lets running batches finish and record their outcomes. */
  async stop(): Promise<void> {
    this.running = false;
    if (this.resubscribeTimer) clearTimeout(this.resubscribeTimer);
    this.wake?.();
    await this.subscription?.stop();
    await this.loop;
    await Promise.allSettled([...this.batches]);
  }

  /** Simulates a crash: from now on nothing more is recorded, requests already sent go on unobserved. */
  kill(): void {
    this.killed = true;
    this.running = false;
    this.wake?.();
    void this.subscription?.stop();
  }

  /** Resolves once every stored event was seen, nothing is queued and nothing is in flight (tests, sandbox). */
  async idle(pollMs = 10): Promise<void> {
    for (;;) {
      if (this.killed) throw new WorkerKilledError('the posting worker was killed');
      const head = await this.options.store.headPosition();
      if (this.handledUpTo >= head && this.batches.size === 0 && this.options.state.size() === 0) return;
      await new Promise((resolve) => setTimeout(resolve, pollMs));
    }
  }

  private guard(): void {
    if (this.killed) throw new WorkerKilledError('the posting worker was killed');
  }

  private async onEvent(event: RecordedEvent): Promise<void> {
    this.guard();
    const state = this.options.state;
    if (event.type === 'PostingRequested') {
      // A new request (a first one, a re-evaluation after an operator's retry, a re-dated entry) is
      // due now; what exactly to send is read from the document's state when it goes out.
      const data = (event as DocumentEventOf<'PostingRequested'>).data;
      state.handled(this.name, event.position, () => state.makeDue(data.postingKey, event.streamId, this.now()));
      this.wake?.();
    } else if (event.type === 'PostingRetryRequested') {
      // An operator's retry of a FAILED posting: its next attempt is now. (A retry of a refused
      // document comes with its own new PostingRequested.)
      const document = foldDocument(await this.options.store.readStream(event.streamId));
      state.handled(this.name, event.position, () => {
        for (const key of failedPostingKeys(document)) state.makeDue(key, event.streamId, this.now());
      });
      this.wake?.();
    } else if (event.position % 256n === 0n) {
      // Unrelated events only move the checkpoint, and only now and then.
      await state.save(this.name, event.position);
    }
    this.handledUpTo = event.position;
    // An event stored after the fault began, and handled: the store appends and the queue takes
    // writes again. Without this an idle service would report the pause until its next posting.
    if (this.localFault && event.recordedAt > this.localFault.since) this.clearLocalFault();
  }

  private async dispatch(): Promise<void> {
    while (this.running) {
      let delay: number;
      try {
        delay = this.dispatchDue();
      } catch (error) {
        // The queue itself cannot be read or written (disk full, I/O error): wait, then try again.
        const err = error instanceof Error ? error : new Error(String(error));
        this.fail(err);
        this.noteLocalFault(err);
        delay = this.pausedUntil - this.now();
      }
      if (delay === 0) continue;
      await new Promise<void>((resolve) => {
        // Not unref'd: a running worker keeps its process alive for the retries it has scheduled;
        // a wake-up (new work, stop, kill) clears it.
        const timer = setTimeout(resolve, Math.min(Math.max(5, delay), 60_000));
        this.wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
      this.wake = null;
    }
  }

  /** Starts one batch if there is room and work (answers 0: look again at once), else how long to wait. */
  private dispatchDue(): number {
    const paused = this.pausedUntil - this.now();
    if (paused > 0) return paused;
    if (this.batches.size < this.parallel) {
      const items = this.options.state
        .due(this.now(), this.batchSize + this.inFlight.size)
        .filter((i) => !this.inFlight.has(i.postingKey))
        .slice(0, this.batchSize);
      if (items.length > 0) {
        for (const i of items) this.inFlight.add(i.postingKey);
        const batch = this.processBatch(items)
          .then(() => this.clearLocalFault())
          .catch((e: unknown) => {
            if (e instanceof WorkerKilledError) return;
            const err = e instanceof Error ? e : new Error(String(e));
            this.fail(err);
            // A local failure (event store down, disk full, …): every posting waits a little, then
            // longer while it lasts, never in a hot loop. What was sent is known from the queue
            // (marked before sending), so the next attempt reads back before posting again.
            this.noteLocalFault(err);
            if (this.killed) return;
            try {
              this.options.state.postpone(
                items.map((i) => i.postingKey),
                this.pausedUntil,
              );
            } catch {
              // The queue cannot be written either: the pause above holds them back instead.
            }
          })
          .finally(() => {
            for (const i of items) this.inFlight.delete(i.postingKey);
            this.batches.delete(batch);
            this.wake?.();
          });
        this.batches.add(batch);
        return 0;
      }
    }
    const next = this.options.state.nextDueAt();
    return next === null ? 60_000 : Math.max(5, next - this.now());
  }

  private fail(error: Error): void {
    if (this.options.onError) this.options.onError(error);
    else console.error(`[${this.name}]`, error);
  }

  /** One gateway round for up to `batchSize` documents, then at most one read-back round. */
  private async processBatch(items: QueuedPosting[]): Promise<void> {
    const posts: (Work & { fn: GatewayFunction })[] = [];
    const readBacks: Work[] = [];
    for (const item of items) {
      const work = await this.prepare(item);
      if (!work) continue;
      if (item.uncertain || work.readBackOnly) {
        readBacks.push(work);
        continue;
      }
      try {
        const body = work.reversal ? serializeReversal(work.entry, work.reverses, this.options.glBatch) : serializeRecord(work.entry, this.options.glBatch);
        posts.push({ ...work, fn: { controlId: item.postingKey, body } });
      } catch (error) {
        if (!(error instanceof UnpostableEntryError)) throw error;
        await this.reject(work, {
          ...transientError(error.message),
          category: 'validation',
          message: `${error.message}. Fix the mapping or the document, then retry.`,
        });
      }
    }
    if (posts.length === 0 && readBacks.length === 0) return;

    this.guard();
    this.options.state.markSending(posts.map((p) => p.item.postingKey));
    const rbFns = readBacks.map((w) => readBackFunctionFor(w.entry, w.reverses));
    const tap = new ExchangeTap();
    // Each document's part of the round trip is found by its function's controlid.
    const sentAs = (w: Work): string => (readBacks.includes(w) ? rbFns[readBacks.indexOf(w)]!.controlId : w.item.postingKey);
    const readBackIds = new Set(rbFns.map((f) => f.controlId));
    let results: FunctionResult[];
    try {
      results = await this.options.gateway.execute([...posts.map((p) => p.fn), ...rbFns], {
        uniqueId: true,
        mayCreate: posts.length > 0,
        onExchange: tap.observe,
        // Creates are the posting's cost; reads of postings whose earlier outcome was unknown are read-backs.
        purpose: (controlId) => (readBackIds.has(controlId) ? 'read-back' : 'posting'),
      });
    } catch (error) {
      const uncertain = !provesNothingRan(error);
      if (uncertain && error instanceof IntacctUncertainOutcomeError) {
        const earlier = new Map([...posts, ...readBacks].map((w) => [w, tap.for(sentAs(w))]));
        return this.readBack([...posts, ...readBacks], 'the previous request ended without an answer', earlier);
      }
      const failure = requestFailure(error);
      for (const w of posts) await this.retryLater(w, failure, uncertain, { exchange: tap.for(sentAs(w)) });
      for (const w of readBacks) await this.retryLater(w, failure, true, { exchange: tap.for(sentAs(w)) });
      return;
    }

    const toReadBack: Work[] = [];
    const earlier = new Map<Work, PostingExchange | undefined>();
    for (const [i, p] of posts.entries()) {
      const r = results[i]!;
      const recorded = { exchange: tap.for(p.item.postingKey) };
      if (r.status === 'success') {
        const recordNo = createdRecordNo(r);
        if (recordNo) await this.succeed(p, recordNo, 'created', recorded);
        else {
          toReadBack.push(p);
          earlier.set(p, recorded.exchange);
        }
        continue;
      }
      const error =
        r.status === 'aborted'
          ? transientError('Intacct aborted this function because another one in the request failed')
          : classifyIntacctErrors(r.errors, { level: 'result' });
      if (error.category === 'duplicate') {
        toReadBack.push(p);
        earlier.set(p, recorded.exchange);
      } else if (error.category === 'validation' || error.category === 'closed-period') await this.reject(p, error, recorded);
      else await this.retryLater(p, error, false, recorded);
    }
    for (const [i, w] of readBacks.entries()) await this.settleReadBack(w, results[posts.length + i]!, false, { exchange: tap.for(sentAs(w)) });
    if (toReadBack.length > 0) await this.readBack(toReadBack, 'Intacct reported the posting as already sent', earlier);
  }

  /** Reads GLBATCHes back by REFERENCENO after an unknown or duplicate outcome. */
  private async readBack(works: Work[], why: string, earlier: ReadonlyMap<Work, PostingExchange | undefined>): Promise<void> {
    const fns = works.map((w) => readBackFunctionFor(w.entry, w.reverses));
    const tap = new ExchangeTap();
    const recorded = (i: number): Recorded => ({ exchange: tap.for(fns[i]!.controlId), earlierExchange: earlier.get(works[i]!) });
    let results: FunctionResult[];
    try {
      results = await this.options.gateway.execute(fns, { uniqueId: true, mayCreate: false, onExchange: tap.observe, purpose: 'read-back' });
    } catch (error) {
      for (const [i, w] of works.entries())
        await this.retryLater(
          w,
          { ...requestFailure(error), message: `${why}; reading it back failed too, so it will be checked again before any re-post` },
          true,
          recorded(i),
        );
      return;
    }
    for (const [i, w] of works.entries()) await this.settleReadBack(w, results[i]!, true, recorded(i));
  }

  private async settleReadBack(w: Work, r: FunctionResult, afterUnknown: boolean, recorded: Recorded): Promise<void> {
    if (r.status !== 'success') return this.retryLater(w, classifyIntacctErrors(r.errors, { level: 'result' }), true, recorded);
    const found = recordNosFound(r);
    if (found.length > 0) return this.succeed(w, found[0]!, 'found-existing', recorded);
    this.guard();
    if (w.readBackOnly && !afterUnknown) {
      // Superseded before it was posted, and checked: it never reached Intacct. Nothing more to do.
      this.options.state.complete(w.item.postingKey);
      return;
    }
    if (afterUnknown) {
      // Not there (yet): Intacct may still be processing, so re-post only after a pause, and read
      // back once more first; uniqueid=true protects the re-post in any case.
      return this.retryLater(
        w,
        transientError(
          `The outcome of posting ${w.item.postingKey} was unknown and no ${targetOf(w.entry)} with that reference exists yet; it will be checked again and re-posted if still missing`,
        ),
        true,
        recorded,
      );
    }
    // Checked: nothing was created, so the posting can go out right away.
    this.options.state.reschedule(w.item.postingKey, this.now(), false);
  }

  /** Reads the document: null when nothing is outstanding for this queued key. */
  private async prepare(item: QueuedPosting): Promise<Work | null> {
    this.guard();
    const stream = await this.options.store.readStream(item.streamId);
    const key = item.postingKey;
    const document = foldDocument(stream);
    const outstanding = outstandingPosting(document, key);
    // Superseded while its posting was under way: an attempt may have landed all the same.
    const record = recordOf(document, key);
    const mayHaveLanded = !outstanding && item.uncertain && record !== null && record.reverses === null && record.recordNo === null && record.entry !== null;
    if (!outstanding && !mayHaveLanded) {
      this.guard();
      this.options.state.complete(key);
      return null;
    }
    const ofKey = (e: RecordedEvent): boolean => (e.data as { postingKey?: string } | null)?.postingKey === key;
    const request = stream[lastIndex(stream, (e) => e.type === 'PostingRequested' && ofKey(e))];
    const attempt = stream.filter((e) => (e.type === 'PostingFailed' || e.type === 'PostingRejected') && ofKey(e)).length + 1;
    return {
      item,
      entry: outstanding?.entry ?? record!.entry!,
      attempt,
      requestId: request?.id ?? null,
      correlationId: request?.metadata.correlationId ?? item.streamId,
      readBackOnly: !outstanding,
      reversal: outstanding?.reversal ?? false,
      reverses: outstanding?.reverses ?? record?.reverses ?? null,
    };
  }

  private async succeed(w: Work, recordNo: string, how: 'created' | 'found-existing', recorded: Recorded): Promise<void> {
    const key = w.item.postingKey;
    await this.record(w, { outcome: 'succeeded', postingKey: key, recordNo, how, ...present(recorded) }, `${key}:succeeded`);
    this.options.state.complete(key);
  }

  private async reject(w: Work, error: PostingError, recorded: Recorded = {}): Promise<void> {
    const key = w.item.postingKey;
    const after = await this.record(
      w,
      {
        outcome: 'rejected',
        postingKey: key,
        attempt: w.attempt,
        error: { ...error, message: `Posting ${key}: ${error.message}` },
        ...present({ exchange: recorded.exchange }),
      },
      `${key}:rejected:${w.attempt}`,
    );
    // The decision may have asked for the posting again at once (closed period, next-open-period policy).
    if (after && outstandingPosting(after, key)) this.options.state.reschedule(key, this.now(), false);
    else this.options.state.complete(key);
  }

  private async retryLater(w: Work, error: PostingError, uncertain: boolean, recorded: Recorded): Promise<void> {
    const key = w.item.postingKey;
    const base = this.options.retry?.baseDelayMs ?? 30_000;
    const max = this.options.retry?.maxDelayMs ?? 3_600_000;
    const delay = Math.min(max, base * 2 ** Math.min(20, w.attempt - 1)) * (0.8 + Math.random() * 0.4);
    const dueAt = Math.round(this.now() + delay);
    const outcome: PostingOutcome = {
      outcome: 'failed',
      postingKey: key,
      attempt: w.attempt,
      error: { ...error, message: `Posting ${key}: ${error.message}` },
      nextAttemptAt: new Date(dueAt).toISOString(),
      ...present(recorded),
    };
    await this.record(w, outcome, `${key}:failed:${w.attempt}`);
    this.options.state.reschedule(key, dueAt, uncertain);
  }

  /**
   * Records an outcome through the document decider, against the stream's current revision: the
   * lifecycle's rules (at most one success per version, a landed posting of a superseded document is
   * reversed) hold here as everywhere. Returns the document state after it, or null when the decider
   * refused the outcome (reported; the queue entry is dropped so it cannot loop).
   */
  private async record(w: Work, outcome: PostingOutcome, idKey: string) {
    this.guard();
    try {
      const { state } = await runDocumentCommand(this.options.store, w.item.streamId, { type: 'RecordPostingOutcome', data: outcome }, idKey, {
        actor: ACTOR,
        correlationId: w.correlationId,
        causationId: w.requestId,
        idNamespace: 'intacct-posting',
      });
      this.guard();
      return state;
    } catch (error) {
      if (!(error instanceof LifecycleError)) throw error;
      this.fail(new Error(`Intacct posting ${w.item.postingKey}: the outcome (${outcome.outcome}) was refused by the document lifecycle: ${error.message}`));
      return null;
    }
  }
}

/** Only the exchanges there are: an absent one is left out of the event, not stored as undefined. */
function present(recorded: Recorded): Recorded {
  return Object.fromEntries(Object.entries(recorded).filter(([, v]) => v !== undefined));
}

function lastIndex<T>(list: readonly T[], test: (item: T) => boolean): number {
  for (let i = list.length - 1; i >= 0; i--) if (test(list[i]!)) return i;
  return -1;
}

/** Errors after which we know no function of the request ran (the error says so: domain/errors.ts). */
function provesNothingRan(error: unknown): boolean {
  return !mayHaveRun(error);
}

function requestFailure(error: unknown): PostingError {
  if (error instanceof IntacctGatewayError) return classifyIntacctErrors(error.errors, { level: error.level, httpStatus: error.httpStatus });
  return transientError(error instanceof Error ? error.message : String(error));
}
