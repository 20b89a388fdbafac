/**
 * A fixed log-bucket histogram of millisecond values: constant memory (one Uint32Array), O(1) record,
 * exact merging by adding counts, percentiles within ±2.5 % of the true value. Used for the per-second and
 * per-minute aggregates, where keeping samples would grow with traffic. (hdr-histogram-js would do, but its
 * serialised form is larger than the sparse bucket map this stores per minute, and merging across instances
 * from Redis/JSON is simpler with plain indices.)
 */
const MIN_MS = 0.01;
const GROWTH = 1.05;
const LOG_GROWTH = Math.log(GROWTH);
/** Buckets cover 0.01 ms … ~10 min; larger values land in the last one. */
export const BUCKETS = 380;

export function bucketIndex(ms: number): number {
  if (!(ms > MIN_MS)) return 0;
  const i = 1 + Math.floor(Math.log(ms / MIN_MS) / LOG_GROWTH);
  return i < BUCKETS ? i : BUCKETS - 1;
}

/** The value reported for a bucket: its geometric midpoint. */
export function bucketValue(index: number): number {
  if (index <= 0) return MIN_MS;
  return MIN_MS * Math.pow(GROWTH, index - 0.5);
}

/** Sparse, JSON-friendly form: bucket index → count. */
export type SparseBuckets = Record<string, number>;

export class LogHistogram {
  readonly counts = new Uint32Array(BUCKETS);
  count = 0;
  sum = 0;
  max = 0;

  record(ms: number): void {
    this.counts[bucketIndex(ms)]++;
    this.count++;
    this.sum += ms;
    if (ms > this.max) this.max = ms;
  }

  add(other: LogHistogram): void {
    for (let i = 0; i < BUCKETS; i++) this.counts[i] += other.counts[i];
    this.count += other.count;
    this.sum += other.sum;
    if (other.max > this.max) this.max = other.max;
  }

  addSparse(sparse: SparseBuckets, sum: number, max: number): void {
    for (const [key, n] of Object.entries(sparse)) {
      const i = Number(key);
      if (Number.isInteger(i) && i >= 0 && i < BUCKETS && n > 0) {
        this.counts[i] += n;
        this.count += n;
      }
    }
    this.sum += sum;
    if (max > this.max) this.max = max;
  }

  reset(): void {
    this.counts.fill(0);
    this.count = 0;
    this.sum = 0;
    this.max = 0;
  }

  /** The q-th percentile (0–100) in ms; 0 when empty. Capped at the observed max. */
  percentile(q: number): number {
    if (this.count === 0) return 0;
    const rank = Math.max(1, Math.ceil((q / 100) * this.count));
    let seen = 0;
    for (let i = 0; i < BUCKETS; i++) {
      seen += this.counts[i];
      if (seen >= rank) return Math.min(bucketValue(i), this.max);
    }
    return this.max;
  }

  mean(): number {
    return this.count === 0 ? 0 : this.sum / this.count;
  }

  toSparse(): SparseBuckets {
    const out: SparseBuckets = {};
    for (let i = 0; i < BUCKETS; i++) if (this.counts[i] > 0) out[i] = this.counts[i]!;
    return out;
  }

  static fromSparse(sparse: SparseBuckets, sum = 0, max = 0): LogHistogram {
    const h = new LogHistogram();
    h.addSparse(sparse, sum, max);
    return h;
  }
}
