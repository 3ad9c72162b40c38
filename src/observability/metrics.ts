/**
 * A small Prometheus text-format registry (no dependency): gauges computed at scrape time, counters
 * and histograms updated in place. Served at /metrics.
 */
type Labels = Record<string, string>;

const labelText = (labels: Labels): string => {
  const entries = Object.entries(labels);
  if (entries.length === 0) return '';
  return `{${entries.map(([k, v]) => `${k}="${v.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n')}"`).join(',')}}`;
};

interface Collector {
  render(): string[] | Promise<string[]>;
}

export class Counter implements Collector {
  private readonly values = new Map<string, { labels: Labels; value: number }>();
  constructor(
    readonly name: string,
    readonly help: string,
  ) {}
  inc(labels: Labels = {}, by = 1): void {
    const key = labelText(labels);
    const entry = this.values.get(key) ?? { labels, value: 0 };
    entry.value += by;
    this.values.set(key, entry);
  }
  render(): string[] {
    return [
      `# HELP ${this.name} ${this.help}`,
      `# TYPE ${this.name} counter`,
      ...[...this.values.values()].map((e) => `${this.name}${labelText(e.labels)} ${e.value}`),
    ];
  }
}

export class Histogram implements Collector {
  private readonly series = new Map<string, { labels: Labels; counts: number[]; sum: number; count: number }>();
  constructor(
    readonly name: string,
    readonly help: string,
    readonly buckets: number[] = [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60],
  ) {}
  observe(value: number, labels: Labels = {}): void {
    const key = labelText(labels);
    const s = this.series.get(key) ?? { labels, counts: this.buckets.map(() => 0), sum: 0, count: 0 };
    this.buckets.forEach((b, i) => {
      if (value <= b) s.counts[i]!++;
    });
    s.sum += value;
    s.count++;
    this.series.set(key, s);
  }
  render(): string[] {
    const lines = [`# HELP ${this.name} ${this.help}`, `# TYPE ${this.name} histogram`];
    for (const s of this.series.values()) {
      this.buckets.forEach((b, i) => lines.push(`${this.name}_bucket${labelText({ ...s.labels, le: String(b) })} ${s.counts[i]}`));
      lines.push(`${this.name}_bucket${labelText({ ...s.labels, le: '+Inf' })} ${s.count}`);
      lines.push(`${this.name}_sum${labelText(s.labels)} ${s.sum}`, `${this.name}_count${labelText(s.labels)} ${s.count}`);
    }
    return lines;
  }
}

export class Gauge implements Collector {
  constructor(
    readonly name: string,
    readonly help: string,
    private readonly collect: () => Array<{ labels?: Labels; value: number }> | Promise<Array<{ labels?: Labels; value: number }>>,
  ) {}
  async render(): Promise<string[]> {
    let samples: Array<{ labels?: Labels; value: number }> = [];
    try {
      samples = await this.collect();
    } catch {
      samples = [];
    }
    return [`# HELP ${this.name} ${this.help}`, `# TYPE ${this.name} gauge`, ...samples.map((s) => `${this.name}${labelText(s.labels ?? {})} ${s.value}`)];
  }
}

export class MetricsRegistry {
  private readonly collectors: Collector[] = [];
  register<T extends Collector>(collector: T): T {
    this.collectors.push(collector);
    return collector;
  }
  async render(): Promise<string> {
    const parts = await Promise.all(this.collectors.map((c) => c.render()));
    return `${parts.flat().join('\n')}\n`;
  }
}
