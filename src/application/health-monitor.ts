import { redact } from '../observability/logger.js';

export interface ReadinessCheck {
  name: string;
  /** `ok` with a detail, or a failure with what is wrong. */
  check(): Promise<{ ok: boolean; detail: string }>;
  /**
   * A remote system (Concur, Intacct): checked only in the background, `/readyz` reports its last
   * result. Other checks (store, worker, projections) also run at each `/readyz`, bounded to 500 ms.
   */
  remote?: boolean;
}

export interface HealthResult {
  name: string;
  ok: boolean;
  /** What was found, or what is wrong (secrets redacted). */
  detail: string;
  /** When this result was taken (ISO time). */
  checkedAt: string;
}

/** One check as `/readyz` reports it: the last result and how old it is (`null`s before the first result). */
export interface ReadinessReportEntry {
  name: string;
  ok: boolean;
  detail: string;
  checkedAt: string | null;
  ageMs: number | null;
}

export interface HealthMonitorOptions {
  now?: () => Date;
  /** How often every check runs in the background (`ML_READINESS_INTERVAL_S`). */
  intervalMs?: number;
  /** A check without an answer by then counts as failed (`ML_READINESS_TIMEOUT_MS`). */
  timeoutMs?: number;
}

export const DEFAULT_READINESS_INTERVAL_MS = 10_000;
export const DEFAULT_READINESS_TIMEOUT_MS = 5_000;
/** How long `/readyz` waits for a local check (store, worker, projections) before reporting it failed. */
export const LOCAL_CHECK_WAIT_MS = 500;

/**
 * The readiness checks (store, projections, Concur, Intacct) run in the background, every
 * `intervalMs`, each bounded by `timeoutMs`; their last results are remembered. `/readyz` and the
 * console's health answer remote systems from those results with their age, so neither ever waits
 * for Concur or Intacct: one that does not answer shows as failed ("no answer for … ms"), never as
 * a hung probe. Local checks are also run at each `/readyz` (bounded to 500 ms). A check still running is not started twice; while it hangs past the timeout, every
 * round records it failed again (with a fresh time), so its result never looks older than it is.
 */
export class HealthMonitor {
  private readonly results = new Map<string, HealthResult>();
  private readonly running = new Map<string, { since: number; done: Promise<HealthResult> }>();
  private readonly now: () => Date;
  readonly intervalMs: number;
  readonly timeoutMs: number;
  private timer: NodeJS.Timeout | null = null;

  constructor(
    private readonly checks: readonly ReadinessCheck[],
    options: HealthMonitorOptions | (() => Date) = {},
  ) {
    const o = typeof options === 'function' ? { now: options } : options;
    this.now = o.now ?? (() => new Date());
    this.intervalMs = o.intervalMs ?? DEFAULT_READINESS_INTERVAL_MS;
    this.timeoutMs = o.timeoutMs ?? DEFAULT_READINESS_TIMEOUT_MS;
  }

  /** Runs every check now and then every `intervalMs` until `stop()`. */
  start(): void {
    if (this.timer) return;
    void this.refresh();
    this.timer = setInterval(() => void this.refresh(), this.intervalMs);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }

  /**
   * What `/readyz` answers: local checks run now (at most LOCAL_CHECK_WAIT_MS, so a full disk shows at
   * once), remote ones (`remote: true`) as last checked in the background; each with its age.
   */
  async report(): Promise<ReadinessReportEntry[]> {
    await Promise.all(this.checks.filter((c) => !c.remote).map((c) => this.run(c, Math.min(LOCAL_CHECK_WAIT_MS, this.timeoutMs))));
    return this.snapshot();
  }

  /** Every check's last result and its age, without running anything. */
  snapshot(): ReadinessReportEntry[] {
    const now = this.now().getTime();
    return this.checks.map((c) => {
      const r = this.results.get(c.name);
      if (!r) return { name: c.name, ok: false, detail: 'not checked yet: the first check is running', checkedAt: null, ageMs: null };
      return { name: r.name, ok: r.ok, detail: r.detail, checkedAt: r.checkedAt, ageMs: Math.max(0, now - Date.parse(r.checkedAt)) };
    });
  }

  /**
   * Every check's latest result. Results older than `maxAgeMs` are refreshed in the background (the
   * old ones are answered meanwhile, with their time); a check never run yet is waited for, at most
   * `timeoutMs`.
   */
  async current(maxAgeMs = 30_000): Promise<HealthResult[]> {
    const missing = this.checks.some((c) => !this.results.has(c.name));
    const stale = [...this.results.values()].some((r) => this.now().getTime() - Date.parse(r.checkedAt) > maxAgeMs);
    if (missing) await this.refresh();
    else if (stale) void this.refresh();
    return this.checks.map((c) => this.results.get(c.name)!).filter(Boolean);
  }

  /** Runs every check now (a check already running is not started again); resolves when each has a result or timed out. */
  async refresh(): Promise<HealthResult[]> {
    return Promise.all(this.checks.map((c) => this.run(c)));
  }

  private run(c: ReadinessCheck, timeoutMs = this.timeoutMs): Promise<HealthResult> {
    const running = this.running.get(c.name);
    if (running) {
      const elapsed = this.now().getTime() - running.since;
      if (elapsed >= timeoutMs) return Promise.resolve(this.record(c.name, false, `no answer for ${elapsed} ms (limit ${timeoutMs} ms)`));
      return this.bounded(c.name, running.done, running.since, timeoutMs);
    }
    const since = this.now().getTime();
    const done = (async () => c.check())().then(
      (r) => this.record(c.name, r.ok, r.detail),
      (error: unknown) => this.record(c.name, false, error instanceof Error ? error.message : String(error)),
    );
    const entry = { since, done };
    this.running.set(c.name, entry);
    void done.finally(() => {
      if (this.running.get(c.name) === entry) this.running.delete(c.name);
    });
    return this.bounded(c.name, done, since, timeoutMs);
  }

  /** The check's result, or a failure recorded when it has not answered within the timeout. */
  private bounded(name: string, done: Promise<HealthResult>, since: number, timeoutMs: number): Promise<HealthResult> {
    const left = Math.max(0, timeoutMs - (this.now().getTime() - since));
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<HealthResult>((resolve) => {
      timer = setTimeout(() => resolve(this.record(name, false, `no answer within ${timeoutMs} ms`)), left);
      timer.unref();
    });
    return Promise.race([done, timeout]).finally(() => clearTimeout(timer));
  }

  private record(name: string, ok: boolean, detail: string): HealthResult {
    const result = { name, ok, detail: redact(detail), checkedAt: this.now().toISOString() };
    this.results.set(name, result);
    return result;
  }
}
