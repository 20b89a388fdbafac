interface Counter {
  key: string;
  count: number;
  /** Count inherited from the key this one replaced: `count - error` is what was surely seen. */
  error: number;
  /** Position in the min-heap. */
  at: number;
}

/**
 * Space-Saving heavy-hitters counter (Metwally et al.): tracks at most `capacity` keys in a min-heap,
 * so counting is O(log capacity) with no allocation once full. A new key replaces the least-counted
 * one and inherits its count + 1, so every key seen more than N/capacity times is kept; reports give
 * the guaranteed part of each count so a newcomer's inherited count never outranks a real hot key.
 * (Hand-written: no maintained npm package does this small job without pulling in a sketch library.)
 */
export class TopK {
  private readonly heap: Counter[] = [];
  private readonly byKey = new Map<string, Counter>();

  constructor(readonly capacity: number) {}

  add(key: string): void {
    if (this.capacity <= 0) return;
    const known = this.byKey.get(key);
    if (known) {
      known.count++;
      this.siftDown(known.at);
      return;
    }
    if (this.heap.length < this.capacity) {
      const counter = { key, count: 1, error: 0, at: this.heap.length };
      this.heap.push(counter);
      this.byKey.set(key, counter);
      this.siftUp(counter.at);
      return;
    }
    const least = this.heap[0];
    this.byKey.delete(least.key);
    least.key = key;
    least.error = least.count;
    least.count++;
    this.byKey.set(key, least);
    this.siftDown(0);
  }

  /** The `n` most counted keys, most counted first, with the count each was surely seen (a lower bound). */
  top(n: number): Array<{ key: string; count: number }> {
    return this.heap
      .map(({ key, count, error }) => ({ key, count: count - error }))
      .sort((a, b) => b.count - a.count)
      .slice(0, n);
  }

  clear(): void {
    this.heap.length = 0;
    this.byKey.clear();
  }

  private siftUp(i: number): void {
    const heap = this.heap;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (heap[parent].count <= heap[i].count) return;
      this.swap(i, parent);
      i = parent;
    }
  }

  private siftDown(i: number): void {
    const heap = this.heap;
    for (;;) {
      const left = 2 * i + 1;
      const right = left + 1;
      let smallest = i;
      if (left < heap.length && heap[left].count < heap[smallest].count) smallest = left;
      if (right < heap.length && heap[right].count < heap[smallest].count) smallest = right;
      if (smallest === i) return;
      this.swap(i, smallest);
      i = smallest;
    }
  }

  private swap(a: number, b: number): void {
    const heap = this.heap;
    const tmp = heap[a];
    heap[a] = heap[b];
    heap[b] = tmp;
    heap[a].at = a;
    heap[b].at = b;
  }
}
