import type { Registry } from 'prom-client';

/**
 * Hot-path counter and histogram families that plug into a prom-client Registry (they implement the same
 * `get()` contract as prom-client's own metrics, so the registry formats them). Why not prom-client's
 * Counter/Histogram here: they hash the label object on every call (~0.4 µs per inc, ~1.2 µs per observe
 * measured on this machine), and the whole observability layer must stay under 10 % of hot-path throughput.
 * A caller resolves a child once (by its label values) and then increments plain numbers.
 */
type Labels = Record<string, string>;

interface MetricValue {
  value: number;
  labels: Labels;
  metricName?: string;
}

abstract class FastFamily<C> {
  protected readonly children = new Map<string, { labels: Labels; child: C }>();
  abstract readonly type: 'counter' | 'histogram';

  constructor(
    readonly name: string,
    readonly help: string,
    protected readonly labelNames: readonly string[],
    registry: Registry,
  ) {
    registry.registerMetric(this as never);
  }

  protected abstract make(): C;

  /** The child for these label values (in labelNames order); create it once and keep it. */
  child(...values: string[]): C {
    const key = values.join('\u0000');
    let entry = this.children.get(key);
    if (!entry) {
      const labels: Labels = {};
      this.labelNames.forEach((n, i) => (labels[n] = values[i] ?? ''));
      entry = { labels, child: this.make() };
      this.children.set(key, entry);
    }
    return entry.child;
  }

  get size(): number {
    return this.children.size;
  }

  abstract get(): Promise<{ name: string; help: string; type: string; values: MetricValue[]; aggregator: string }>;

  reset(): void {
    this.children.clear();
  }
}

export class FastCounterChild {
  value = 0;
  inc(by = 1): void {
    this.value += by;
  }
}

export class FastCounter extends FastFamily<FastCounterChild> {
  readonly type = 'counter' as const;
  protected make(): FastCounterChild {
    return new FastCounterChild();
  }
  async get() {
    const values = [...this.children.values()].map(({ labels, child }) => ({ value: child.value, labels }));
    return { name: this.name, help: this.help, type: this.type, values, aggregator: 'sum' };
  }
}

export class FastHistogramChild {
  readonly counts: Float64Array;
  sum = 0;
  count = 0;
  constructor(private readonly bounds: readonly number[]) {
    this.counts = new Float64Array(bounds.length);
  }
  observe(value: number): void {
    const b = this.bounds;
    for (let i = 0; i < b.length; i++) {
      if (value <= b[i]) {
        this.counts[i]++;
        break;
      }
    }
    this.sum += value;
    this.count++;
  }
}

export class FastHistogram extends FastFamily<FastHistogramChild> {
  readonly type = 'histogram' as const;
  constructor(
    name: string,
    help: string,
    labelNames: readonly string[],
    private readonly bounds: readonly number[],
    registry: Registry,
  ) {
    super(name, help, labelNames, registry);
  }
  protected make(): FastHistogramChild {
    return new FastHistogramChild(this.bounds);
  }
  async get() {
    const values: MetricValue[] = [];
    for (const { labels, child } of this.children.values()) {
      let cumulative = 0;
      this.bounds.forEach((le, i) => {
        cumulative += child.counts[i];
        values.push({ metricName: `${this.name}_bucket`, labels: { ...labels, le: String(le) }, value: cumulative });
      });
      values.push({ metricName: `${this.name}_bucket`, labels: { ...labels, le: '+Inf' }, value: child.count });
      values.push({ metricName: `${this.name}_sum`, labels, value: child.sum });
      values.push({ metricName: `${this.name}_count`, labels, value: child.count });
    }
    return { name: this.name, help: this.help, type: this.type, values, aggregator: 'sum' };
  }
}
