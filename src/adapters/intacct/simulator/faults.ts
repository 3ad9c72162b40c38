/** Faults the simulator injects, chosen per request by a seeded generator so a failing run can be replayed. */
export type FaultKind = 'http5xx' | 'timeout524' | 'drop' | 'sessionKill';

export interface FaultOptions {
  /** Added before each request is processed: a number, or [min, max] drawn per request. */
  latencyMs?: number | [number, number];
  /** Probability (0..1) per request of each fault. 524 and drop happen AFTER the functions committed. */
  rates?: Partial<Record<FaultKind, number>>;
  seed?: number;
}

/** mulberry32: tiny, fast, good enough to spread faults reproducibly. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export class FaultPlan {
  latencyMs: number | [number, number];
  rates: Partial<Record<FaultKind, number>>;
  private readonly forced: FaultKind[] = [];
  readonly random: () => number;
  readonly injected: Record<FaultKind, number> = { http5xx: 0, timeout524: 0, drop: 0, sessionKill: 0 };

  constructor(options: FaultOptions = {}) {
    this.latencyMs = options.latencyMs ?? 0;
    this.rates = options.rates ?? {};
    this.random = seededRandom(options.seed ?? 1);
  }

  /** Force the next `count` eligible requests to suffer `kind`, whatever the rates say. */
  next(kind: FaultKind, count = 1): void {
    for (let i = 0; i < count; i++) this.forced.push(kind);
  }

  latency(): number {
    const l = this.latencyMs;
    return typeof l === 'number' ? l : l[0] + this.random() * (l[1] - l[0]);
  }

  /** Draws the fault of one request (or none). */
  draw(eligible: (kind: FaultKind) => boolean): FaultKind | null {
    const i = this.forced.findIndex(eligible);
    if (i >= 0) return this.record(this.forced.splice(i, 1)[0]!);
    for (const kind of ['http5xx', 'sessionKill', 'timeout524', 'drop'] as const) {
      const rate = this.rates[kind] ?? 0;
      if (rate > 0 && eligible(kind) && this.random() < rate) return this.record(kind);
    }
    return null;
  }

  private record(kind: FaultKind): FaultKind {
    this.injected[kind]++;
    return kind;
  }
}
