/**
 * Run-to-run noise for baseline verdicts: both runs are cut into per-second windows, and the change of the
 * median window is bootstrapped (resampling each run's windows) into a confidence interval. Hand-written: a
 * percentile bootstrap of a median ratio is a few lines, and no kept statistics library does it.
 */

export interface ChangeEstimate {
  /** Median of the current windows over the median of the baseline windows, minus one, in %. */
  changePct: number;
  /** 95 % confidence interval of that change, in %. */
  ciLowPct: number;
  ciHighPct: number;
}

const RESAMPLES = 2000;

/** A fixed-seed generator: the same two runs always get the same verdict. */
function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

function resampledMedian(values: readonly number[], random: () => number, scratch: number[]): number {
  for (let i = 0; i < values.length; i++) scratch[i] = values[Math.floor(random() * values.length)];
  scratch.sort((a, b) => a - b);
  const mid = values.length >> 1;
  return values.length % 2 ? scratch[mid] : (scratch[mid - 1] + scratch[mid]) / 2;
}

/** The change of the median window from `baseline` to `current`, with its 95 % percentile-bootstrap interval. */
export function bootstrapChange(baseline: readonly number[], current: readonly number[]): ChangeEstimate {
  const random = mulberry32(0x7e55e7a);
  const base = median(baseline);
  const cur = median(current);
  const ratios: number[] = [];
  const sb = new Array<number>(baseline.length);
  const sc = new Array<number>(current.length);
  for (let i = 0; i < RESAMPLES; i++) {
    const b = resampledMedian(baseline, random, sb);
    const c = resampledMedian(current, random, sc);
    ratios.push(b === 0 ? (c === 0 ? 1 : Infinity) : c / b);
  }
  ratios.sort((a, b) => a - b);
  const pct = (ratio: number): number => (Number.isFinite(ratio) ? Math.round((ratio - 1) * 1000) / 10 : 1e6);
  return {
    changePct: pct(base === 0 ? (cur === 0 ? 1 : Infinity) : cur / base),
    ciLowPct: pct(ratios[Math.floor(RESAMPLES * 0.025)]),
    ciHighPct: pct(ratios[Math.ceil(RESAMPLES * 0.975) - 1]),
  };
}
