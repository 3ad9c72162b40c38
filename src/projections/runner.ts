import type Database from 'better-sqlite3';
import type { RecordedEvent } from '../domain/events/envelope.js';
import type { EventStore, Subscription } from '../domain/eventstore/port.js';
import { describeStorageFault, isStorageFault, storageRetryDelayMs } from '../domain/eventstore/storage-fault.js';
import { ProjectionCatalog } from './catalog.js';
import { dropOrphanGenerations, Generation } from './generation.js';
import type { Projection } from './projection.js';
import { openReadModelDb } from './read-model-db.js';
import type { MovedAside } from '../adapters/sqlite-file/rebuildable.js';
import type { ProjectionStatus } from './status.js';

export interface ProjectionRunnerOptions {
  store: EventStore;
  /** The read-model SQLite file, normally `readModelPath(ML_DATA_DIR)`, whichever event store is used. */
  databasePath: string;
  projections: readonly Projection[];
  /** Most live events applied in one transaction. */
  batchSize?: number;
  /** Events read per page, and applied per transaction, while rebuilding. */
  rebuildPageSize?: number;
  /**
   * Number of events after a position, for the lag. The default, `head - after`, is exact for stores
   * that number positions densely (SQLite, memory); EventStoreDB positions are byte offsets, so pass
   * its `countEventsAfter` there.
   */
  countEventsAfter?: (after: bigint, head: bigint) => Promise<number> | number;
  /** Told when the read-model file was damaged, moved aside and replaced (it is then rebuilt from the log). */
  onMovedAside?: (info: MovedAside) => void;
  /** Told when a projection stops on an error (it is also in `status()`). */
  onError?: (projection: string, error: Error) => void;
}

interface Rebuild {
  generation: Generation;
  version: number;
  position: bigint;
  startedAt: string;
  done: Promise<void>;
}

/** Runtime state of one projection. */
interface Lane {
  projection: Projection;
  /** The generation serving queries, its version and the last position applied to it. */
  live: Generation;
  version: number;
  position: bigint;
  /** False while a version bump is rebuilt: the old generation serves, frozen (its code is gone). */
  following: boolean;
  subscription?: Subscription;
  /** The paged catch-up that runs before the subscription starts. */
  catchingUp?: Promise<void>;
  buffer: RecordedEvent[];
  flushScheduled: boolean;
  rebuild?: Rebuild;
  failed?: Error;
  /**
   * A storage fault (disk full, I/O error, lock) stopped it for a moment: it resumes by itself from its
   * last committed checkpoint when the timer fires, and again with a longer wait if the fault remains.
   */
  stalled?: { error: Error; since: string; failures: number; timer: ReturnType<typeof setTimeout> };
  /** Why the last rebuild failed while the serving generation went on (cleared by the next rebuild). */
  lastRebuildError?: string;
}

interface Waiter {
  position: bigint;
  resolve: () => void;
  reject: (error: Error) => void;
}

/**
 * Runs projections against the event store. Each projection's changes and its checkpoint commit in
 * one SQLite transaction (events applied in small batches per transaction), so every event is applied
 * exactly once across crashes. Readers query each logical table name, a view on the generation that
 * serves; a rebuild fills a fresh generation from the log while the serving one keeps answering and
 * following, then swaps the views in one transaction and drops the old tables.
 */
export class ProjectionRunner {
  private readonly lanes = new Map<string, Lane>();
  private readonly waiters = new Set<Waiter>();
  private readonly catalog: ProjectionCatalog;
  private readonly batchSize: number;
  private readonly rebuildPageSize: number;
  private readonly countEventsAfter: (after: bigint, head: bigint) => Promise<number> | number;
  private stopping = false;

  private constructor(
    private readonly options: ProjectionRunnerOptions,
    /** The read-model database; queries go to the logical table names (views). */
    readonly db: Database.Database,
  ) {
    this.catalog = new ProjectionCatalog(db);
    this.batchSize = options.batchSize ?? 500;
    this.rebuildPageSize = options.rebuildPageSize ?? 5000;
    this.countEventsAfter = options.countEventsAfter ?? ((after, head) => (head > after ? Number(head - after) : 0));
  }

  static start(options: ProjectionRunnerOptions): ProjectionRunner {
    const names = new Set<string>();
    for (const p of options.projections) {
      if (names.has(p.name)) throw new Error(`Two projections are named ${p.name}; names must be unique`);
      names.add(p.name);
    }
    const runner = new ProjectionRunner(options, openReadModelDb(options.databasePath, options.onMovedAside));
    for (const projection of options.projections) runner.startLane(projection);
    return runner;
  }

  /** Rebuilds one projection from the whole log into a fresh generation; resolves once it serves. */
  rebuild(name: string): Promise<void> {
    const lane = this.lane(name);
    if (lane.rebuild) return lane.rebuild.done;
    return this.beginRebuild(lane, undefined);
  }

  /** Resolves once every projection serves a generation that has applied the log up to `position`. */
  waitFor(position: bigint, timeoutMs = 30_000): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      const failed = [...this.lanes.values()].find((l) => l.failed);
      if (failed?.failed) return reject(failed.failed);
      if (this.reached(position)) return resolve();
      const timer = setTimeout(() => {
        this.waiters.delete(waiter);
        const behind = [...this.lanes.values()].filter((l) => !l.following || l.position < position).map((l) => `${l.projection.name} at ${l.position}`);
        reject(new Error(`Projections did not reach position ${position} within ${timeoutMs} ms (${behind.join(', ')})`));
      }, timeoutMs);
      const waiter: Waiter = {
        position,
        resolve: () => (clearTimeout(timer), resolve()),
        reject: (error) => (clearTimeout(timer), reject(error)),
      };
      this.waiters.add(waiter);
    });
  }

  async status(): Promise<ProjectionStatus[]> {
    const head = await this.options.store.headPosition();
    const lagOf = async (position: bigint): Promise<number> => (position >= head ? 0 : this.countEventsAfter(position, head));
    const out: ProjectionStatus[] = [];
    for (const lane of this.lanes.values()) {
      const status: ProjectionStatus = {
        name: lane.projection.name,
        version: lane.version,
        generation: lane.live.number,
        position: lane.position,
        headPosition: head,
        lag: await lagOf(lane.position),
        state: lane.failed ? 'failed' : this.stopping ? 'stopped' : lane.stalled ? 'retrying' : lane.rebuild ? 'rebuilding' : 'live',
      };
      const rb = lane.rebuild;
      if (rb) {
        status.rebuild = {
          version: rb.version,
          generation: rb.generation.number,
          position: rb.position,
          lag: await lagOf(rb.position),
          // Share of the log replayed: exact for dense positions, by log bytes for EventStoreDB.
          progress: head < 0n ? 1 : Math.min(1, Number(rb.position + 1n) / Number(head + 1n)),
          startedAt: rb.startedAt,
        };
      }
      if (lane.failed) status.error = lane.failed.message;
      else if (lane.stalled) {
        status.error = `storage fault since ${lane.stalled.since} (${lane.stalled.failures} attempt(s)): ${describeStorageFault(lane.stalled.error)}; it resumes by itself when the write succeeds`;
      } else if (lane.lastRebuildError) status.error = lane.lastRebuildError;
      out.push(status);
    }
    return out;
  }

  async stop(): Promise<void> {
    if (this.stopping) return;
    this.stopping = true;
    const lanes = [...this.lanes.values()];
    for (const lane of lanes) if (lane.stalled) clearTimeout(lane.stalled.timer);
    await Promise.all(lanes.map((lane) => lane.catchingUp));
    await Promise.all(lanes.map((lane) => lane.subscription?.stop()));
    await Promise.all(lanes.map((lane) => lane.rebuild?.done.catch(() => undefined)));
    for (const lane of lanes) {
      try {
        if (!lane.failed) this.flush(lane);
      } catch {
        // The batch rolled back; the next start re-applies it from the checkpoint.
      }
    }
    for (const waiter of this.waiters) waiter.reject(new Error('The projection runner stopped'));
    this.waiters.clear();
    this.db.close();
  }

  private lane(name: string): Lane {
    const lane = this.lanes.get(name);
    if (!lane) throw new Error(`No projection named ${name}; known: ${[...this.lanes.keys()].join(', ')}`);
    return lane;
  }

  private startLane(projection: Projection): void {
    const name = projection.name;
    let live = this.catalog.live(name);
    if (!live) {
      // First run: build generation 1 in place, following from the start of the log.
      live = { name, version: projection.version, generation: 1, position: -1n };
      const first = new Generation(this.db, projection, 1);
      this.db.transaction(() => {
        first.create();
        first.serve();
        this.catalog.setLive(live!);
      })();
    }
    const lane: Lane = {
      projection,
      live: new Generation(this.db, projection, live.generation),
      version: live.version,
      position: live.position,
      following: live.version === projection.version,
      buffer: [],
      flushScheduled: false,
    };
    this.lanes.set(name, lane);
    const pending = this.catalog.rebuild(name);
    const resumable = pending && pending.version === projection.version ? pending : undefined;
    this.db.transaction(() => {
      if (pending && !resumable) this.catalog.endRebuild(name);
      dropOrphanGenerations(this.db, projection, resumable ? [live.generation, resumable.generation] : [live.generation]);
    })();
    if (lane.following) this.follow(lane);
    // A version bump rebuilds automatically; an interrupted rebuild resumes where it stopped.
    if (!lane.following || resumable) void this.beginRebuild(lane, resumable).catch(() => undefined);
  }

  /**
   * Catches up in pages (one transaction per page, like a rebuild: far faster than one event at a
   * time through a subscription), then subscribes from where the pages ended to follow live appends.
   */
  private follow(lane: Lane): void {
    lane.catchingUp = this.catchUp(lane)
      .then((caughtUp) => {
        if (!caughtUp || this.stopping || lane.failed) return;
        // Everything up to the head is committed: a storage fault that paused the lane is over.
        if (lane.stalled) {
          clearTimeout(lane.stalled.timer);
          lane.stalled = undefined;
        }
        lane.subscription = this.options.store.subscribeToAll((event) => this.receive(lane, event), {
          after: lane.position < 0n ? undefined : lane.position,
          onError: (error) => this.fail(lane, error),
        });
      })
      .catch((error: unknown) => this.fail(lane, error));
  }

  private async catchUp(lane: Lane): Promise<boolean> {
    for (;;) {
      if (this.stopping || lane.failed) return false;
      const page = await this.options.store.readAll({ after: lane.position < 0n ? undefined : lane.position, maxCount: this.rebuildPageSize });
      if (this.stopping || lane.failed) return false;
      if (page.length > 0) {
        // A swap may have happened while reading: always write to the generation serving now.
        lane.buffer = page;
        this.flush(lane);
      }
      if (page.length < this.rebuildPageSize) return true;
      await new Promise<void>((resolve) => setImmediate(resolve));
    }
  }

  private receive(lane: Lane, event: RecordedEvent): void {
    if (lane.failed || this.stopping) return;
    lane.buffer.push(event);
    if (lane.buffer.length >= this.batchSize) {
      this.flush(lane);
    } else if (!lane.flushScheduled) {
      // Events delivered in the same turn of the event loop share one transaction.
      lane.flushScheduled = true;
      setImmediate(() => {
        lane.flushScheduled = false;
        if (lane.failed || !this.db.open) return;
        try {
          this.flush(lane);
        } catch (error) {
          this.fail(lane, error);
        }
      });
    }
  }

  private flush(lane: Lane): void {
    if (lane.buffer.length === 0) return;
    const events = lane.buffer;
    lane.buffer = [];
    const generation = lane.live;
    lane.position = this.db.transaction(() => {
      const position = generation.applyAll(events, lane.position);
      if (position !== lane.position) this.catalog.moveLive(lane.projection.name, position);
      return position;
    })();
    if (lane.stalled) {
      clearTimeout(lane.stalled.timer);
      lane.stalled = undefined;
    }
    this.settleWaiters();
  }

  private beginRebuild(lane: Lane, resume: { generation: number; position: bigint; startedAt: string } | undefined): Promise<void> {
    const projection = lane.projection;
    const number = resume?.generation ?? lane.live.number + 1;
    const generation = new Generation(this.db, projection, number);
    const rebuild: Rebuild = {
      generation,
      version: projection.version,
      position: resume?.position ?? -1n,
      startedAt: resume?.startedAt ?? new Date().toISOString(),
      done: Promise.resolve(),
    };
    if (!resume) {
      this.db.transaction(() => {
        generation.create();
        this.catalog.startRebuild({ name: projection.name, version: rebuild.version, generation: number, position: -1n, startedAt: rebuild.startedAt });
      })();
    }
    lane.rebuild = rebuild;
    lane.lastRebuildError = undefined;
    rebuild.done = this.replay(lane, rebuild).catch((error: unknown) => {
      const err = error instanceof Error ? error : new Error(String(error));
      if (this.stopping) throw err;
      lane.rebuild = undefined;
      if (this.db.open) {
        this.db.transaction(() => {
          generation.drop();
          this.catalog.endRebuild(projection.name);
        })();
      }
      // The serving generation keeps following: the projection stays live, but the failed rebuild
      // must be visible (status.error) rather than look like a success.
      lane.lastRebuildError = `rebuild failed at ${new Date().toISOString()}: ${err.message}`;
      if (!lane.following) this.fail(lane, err);
      throw err;
    });
    return rebuild.done;
  }

  private async replay(lane: Lane, rebuild: Rebuild): Promise<void> {
    const name = lane.projection.name;
    const store = this.options.store;
    while (!this.stopping) {
      const page = await store.readAll({ after: rebuild.position < 0n ? undefined : rebuild.position, maxCount: this.rebuildPageSize });
      if (this.stopping) return;
      if (page.length > 0) {
        rebuild.position = this.db.transaction(() => {
          const position = rebuild.generation.applyAll(page, rebuild.position);
          this.catalog.moveRebuildTo(name, position);
          return position;
        })();
      }
      if (page.length < this.rebuildPageSize) {
        // Near the head: commit what the live subscription holds, then swap only if the rebuilt
        // generation has everything the serving one has; otherwise read the few events in between.
        if (lane.following && !lane.failed) this.flush(lane);
        if (!lane.following || lane.failed || rebuild.position >= lane.position) return this.swap(lane, rebuild);
      }
      // Let queries, the live subscription and other projections run between pages.
      await new Promise<void>((resolve) => setImmediate(resolve));
    }
    throw new Error(`The projection runner stopped before the rebuild of ${name} finished; it resumes from position ${rebuild.position} at the next start.`);
  }

  private swap(lane: Lane, rebuild: Rebuild): void {
    const previous = lane.live;
    const name = lane.projection.name;
    this.db.transaction(() => {
      rebuild.generation.serve();
      this.catalog.setLive({ name, version: rebuild.version, generation: rebuild.generation.number, position: rebuild.position });
      this.catalog.endRebuild(name);
    })();
    lane.live = rebuild.generation;
    lane.version = rebuild.version;
    lane.position = rebuild.position;
    lane.rebuild = undefined;
    this.db.transaction(() => previous.drop())();
    if (!lane.following || lane.failed) {
      const old = lane.subscription;
      lane.failed = undefined;
      lane.following = true;
      lane.buffer = [];
      void old?.stop();
      this.follow(lane);
    }
    this.settleWaiters();
  }

  private fail(lane: Lane, error: unknown): void {
    if (this.stopping || lane.failed) return;
    if (isStorageFault(error)) return this.stall(lane, error instanceof Error ? error : new Error(String(error)));
    lane.failed = error instanceof Error ? error : new Error(String(error));
    lane.buffer = [];
    // Not awaited: this may run inside the subscription's own handler.
    void lane.subscription?.stop();
    for (const waiter of this.waiters) waiter.reject(lane.failed);
    this.waiters.clear();
    if (this.options.onError) this.options.onError(lane.projection.name, lane.failed);
    else console.error(lane.failed.message);
  }

  /**
   * Disk full or an I/O error while applying: the batch rolled back with its checkpoint, so the lane
   * stops following and, after a growing wait, catches up again from the checkpoint. Waiters keep
   * waiting (their own timeout applies): the data is not wrong, only late.
   */
  private stall(lane: Lane, error: Error): void {
    if (lane.stalled && lane.stalled.timer) clearTimeout(lane.stalled.timer);
    const failures = (lane.stalled?.failures ?? 0) + 1;
    const since = lane.stalled?.since ?? new Date().toISOString();
    lane.buffer = [];
    const old = lane.subscription;
    lane.subscription = undefined;
    void old?.stop();
    const timer = setTimeout(() => {
      if (this.stopping || lane.failed || !this.db.open) return;
      this.follow(lane);
      // Still stalled until a batch commits; a new fault extends the wait.
    }, storageRetryDelayMs(failures));
    timer.unref?.();
    const first = !lane.stalled;
    lane.stalled = { error, since, failures, timer };
    if (first) {
      const message = `projection ${lane.projection.name} paused by a storage fault: ${describeStorageFault(error)}; it retries by itself`;
      if (this.options.onError) this.options.onError(lane.projection.name, new Error(message, { cause: error }));
      else console.error(message);
    }
  }

  private reached(position: bigint): boolean {
    for (const lane of this.lanes.values()) if (!lane.following || lane.failed || lane.position < position) return false;
    return true;
  }

  private settleWaiters(): void {
    for (const waiter of this.waiters) {
      if (this.reached(waiter.position)) {
        this.waiters.delete(waiter);
        waiter.resolve();
      }
    }
  }
}
