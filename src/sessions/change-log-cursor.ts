/**
 * Where a reader of the change log stands. Sequence numbers are handed out before their transaction commits, so
 * a reader can see seq 101 before seq 100 commits: the cursor only moves past a gap once the missing rows have been
 * read, or after `gapTimeoutMs` (a rolled-back transaction leaves a gap that never fills). Rows past a gap are read
 * again on each poll until it closes; applying them twice is harmless.
 */
export class ChangeLogCursor {
  #through: number;
  readonly #seenPastGap = new Set<number>();
  #gapSince: number | undefined;
  readonly #gapTimeoutMs: number;

  constructor(through: number, gapTimeoutMs: number) {
    this.#through = through;
    this.#gapTimeoutMs = gapTimeoutMs;
  }

  /** Every row up to here has been read (or given up on): the next poll asks for rows after it. */
  get through(): number {
    return this.#through;
  }

  /** Notes the sequence numbers one poll returned (in order) and moves past every closed or expired gap. */
  advance(seqs: readonly number[], now: number): void {
    for (const seq of seqs) if (seq > this.#through) this.#seenPastGap.add(seq);
    for (;;) {
      while (this.#seenPastGap.delete(this.#through + 1)) this.#through += 1;
      if (this.#seenPastGap.size === 0) {
        this.#gapSince = undefined;
        return;
      }
      this.#gapSince ??= now;
      if (now - this.#gapSince < this.#gapTimeoutMs) return;
      // Given up on: the transactions that took these numbers rolled back (or are far slower than any of ours).
      this.#through = lowest(this.#seenPastGap) - 1;
      this.#gapSince = now; // a gap further on gets its own full wait
    }
  }
}

function lowest(seqs: Set<number>): number {
  let min = Infinity;
  for (const seq of seqs) if (seq < min) min = seq;
  return min;
}
