/** A bag of named counters (status codes, error kinds, cache tiers, custom counters). */
export type Counts = Record<string, number>;

export function increment(counts: Counts, key: string, by = 1): void {
  counts[key] = (counts[key] ?? 0) + by;
}

export function addCounts(into: Counts, from: Counts | undefined): void {
  if (!from) return;
  for (const key of Object.keys(from)) into[key] = (into[key] ?? 0) + from[key];
}

export function sumCounts(counts: Counts): number {
  let total = 0;
  for (const key of Object.keys(counts)) total += counts[key];
  return total;
}
