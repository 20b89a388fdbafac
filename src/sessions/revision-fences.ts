import type { Revision } from '../cache/types.js';

interface Fence {
  revision: number;
  at: number;
}

/**
 * The newest revision this instance has heard of for each recently changed session (from its own writes, the bus
 * and the database's change log). A cached copy of an older revision is stale: it is never stored and never served.
 * A fence is kept as long as any cache can still hold what it fences (the longest cache lifetime plus a margin).
 */
export class RevisionFences {
  // Insertion order is the order fences were last raised, so expired ones are always at the front.
  readonly #fences = new Map<string, Fence>();
  readonly #retentionMs: number;
  readonly #onRaise: (sessionId: string) => void;

  constructor(retentionMs: number, onRaise: (sessionId: string) => void) {
    this.#retentionMs = retentionMs;
    this.#onRaise = onRaise;
  }

  /** Records a revision; true when it is newer than what was known (then cached copies of the session are dropped). */
  raise({ id, revision }: Revision, now: number): boolean {
    const known = this.#fences.get(id);
    if (known !== undefined && known.revision >= revision) return false;
    this.#fences.delete(id);
    this.#fences.set(id, { revision, at: now });
    this.#onRaise(id);
    return true;
  }

  /** False when a newer revision of this session is known. */
  admits(sessionId: string, revision: number): boolean {
    const known = this.#fences.get(sessionId);
    return known === undefined || revision >= known.revision;
  }

  prune(now: number): void {
    const cutoff = now - this.#retentionMs;
    for (const [id, fence] of this.#fences) {
      if (fence.at >= cutoff) break;
      this.#fences.delete(id);
    }
  }

  get size(): number {
    return this.#fences.size;
  }
}
