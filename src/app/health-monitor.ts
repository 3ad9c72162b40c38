import type { ReadinessCheck } from './http-server.js';
import { redact } from './logger.js';

export interface HealthResult {
  name: string;
  ok: boolean;
  /** What was found, or what is wrong (secrets redacted). */
  detail: string;
  /** When this result was taken (ISO time). */
  checkedAt: string;
}

/**
 * The readiness checks (store, projections, Concur, Intacct) with their last results remembered, so a
 * screen can show each connection's health and how old that knowledge is without waiting for a
 * gateway round trip on every load. `/readyz` runs the checks fresh through `recording()`, and each of
 * its results is kept too.
 */
export class HealthMonitor {
  private readonly results = new Map<string, HealthResult>();
  private refreshing: Promise<HealthResult[]> | null = null;

  constructor(
    private readonly checks: readonly ReadinessCheck[],
    private readonly now: () => Date = () => new Date(),
  ) {}

  /** The checks for `/readyz`: run as they are, each result recorded here. */
  recording(): ReadinessCheck[] {
    return this.checks.map((c) => ({
      name: c.name,
      check: async () => {
        const result = await c.check();
        this.record(c.name, result.ok, result.detail);
        return result;
      },
    }));
  }

  /**
   * Every check's latest result. Results older than `maxAgeMs` are refreshed in the background (the
   * old ones are answered meanwhile, with their time); a check never run yet is run and awaited.
   */
  async current(maxAgeMs = 30_000): Promise<HealthResult[]> {
    const missing = this.checks.some((c) => !this.results.has(c.name));
    const stale = [...this.results.values()].some((r) => this.now().getTime() - Date.parse(r.checkedAt) > maxAgeMs);
    if (missing) await this.refresh();
    else if (stale) void this.refresh();
    return this.checks.map((c) => this.results.get(c.name)!).filter(Boolean);
  }

  /** Runs every check now (one run at a time). */
  refresh(): Promise<HealthResult[]> {
    this.refreshing ??= Promise.all(
      this.checks.map(async (c) => {
        try {
          const r = await c.check();
          return this.record(c.name, r.ok, r.detail);
        } catch (error) {
          return this.record(c.name, false, (error as Error).message);
        }
      }),
    ).finally(() => (this.refreshing = null));
    return this.refreshing;
  }

  private record(name: string, ok: boolean, detail: string): HealthResult {
    const result = { name, ok, detail: redact(detail), checkedAt: this.now().toISOString() };
    this.results.set(name, result);
    return result;
  }
}
