import * as hdr from 'hdr-histogram-js';

export type Histogram = hdr.Histogram;

/** Latencies are recorded in microseconds: 1 µs to ~1 h at 3 significant digits. */
export function createHistogram(): Histogram {
  return hdr.build({
    bitBucketSize: 32,
    autoResize: true,
    lowestDiscernibleValue: 1,
    highestTrackableValue: 3_600_000_000,
    numberOfSignificantValueDigits: 3,
    useWebAssembly: false,
  });
}

/** A sparse histogram (~16 KB instead of ~95 KB) for the sliding-window ring, which keeps many seconds. */
export function createPackedHistogram(): Histogram {
  return hdr.build({
    bitBucketSize: 'packed',
    autoResize: true,
    lowestDiscernibleValue: 1,
    highestTrackableValue: 3_600_000_000,
    numberOfSignificantValueDigits: 3,
    useWebAssembly: false,
  });
}

export function encodeHistogram(histogram: Histogram): string {
  return hdr.encodeIntoCompressedBase64(histogram);
}

export function decodeHistogram(base64: string): Histogram {
  const decoded = hdr.decodeFromCompressedBase64(base64, 32, false);
  // Re-home into our layout so later adds and auto-resize behave the same everywhere.
  const histogram = createHistogram();
  histogram.add(decoded);
  return histogram;
}

/** k6 trend keys, in milliseconds. */
export interface TrendValues {
  count: number;
  avg: number;
  min: number;
  med: number;
  max: number;
  'p(90)': number;
  'p(95)': number;
  'p(99)': number;
  [key: string]: number;
}

const round = (ms: number): number => Math.round(ms * 1000) / 1000;

export function percentileMs(histogram: Histogram, p: number): number {
  return histogram.totalCount === 0 ? 0 : round(histogram.getValueAtPercentile(p) / 1000);
}

export function trendValues(histogram: Histogram, extraPercentiles: number[] = []): TrendValues {
  const empty = histogram.totalCount === 0;
  const values: TrendValues = {
    count: histogram.totalCount,
    avg: empty ? 0 : round(histogram.mean / 1000),
    // Min and max from the buckets (not the raw extremes), so merged and direct histograms agree exactly.
    min: empty ? 0 : percentileMs(histogram, 0),
    med: percentileMs(histogram, 50),
    max: percentileMs(histogram, 100),
    'p(90)': percentileMs(histogram, 90),
    'p(95)': percentileMs(histogram, 95),
    'p(99)': percentileMs(histogram, 99),
  };
  for (const p of extraPercentiles) values[`p(${p})`] = percentileMs(histogram, p);
  return values;
}
