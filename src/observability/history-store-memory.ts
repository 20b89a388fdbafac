import { appendFile, mkdir, readFile, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { Aggregate } from './aggregate.js';
import type { HistoryStore } from './history-store.js';

/** One process (embedded mode, tests). With `file`, minutes are appended to a JSON-lines file so a restart keeps them. */
export class MemoryHistoryStore implements HistoryStore {
  readonly kind: 'memory' | 'file';
  private readonly minutes = new Map<number, Map<string, Aggregate>>();
  private readonly live = new Map<string, { at: number; window: Aggregate }>();
  private appended = 0;

  private constructor(
    private readonly retentionMs: number,
    private readonly file: string | undefined,
  ) {
    this.kind = file ? 'file' : 'memory';
  }

  static memory(retentionMs: number): MemoryHistoryStore {
    return new MemoryHistoryStore(retentionMs, undefined);
  }

  /** Loads what the file holds (within retention) and appends to it from then on. */
  static async file(path: string, retentionMs: number, now = Date.now()): Promise<MemoryHistoryStore> {
    const store = new MemoryHistoryStore(retentionMs, path);
    await mkdir(dirname(path), { recursive: true });
    const text = await readFile(path, 'utf8').catch(() => '');
    for (const line of text.split('\n')) {
      if (!line) continue;
      try {
        const { instance, minute } = JSON.parse(line) as { instance: string; minute: Aggregate };
        if (minute.start >= now - retentionMs) store.put(instance, minute);
      } catch {
        // A torn last line after a crash: skip it.
      }
    }
    await store.compact();
    return store;
  }

  private put(instanceId: string, minute: Aggregate): void {
    let byInstance = this.minutes.get(minute.start);
    if (!byInstance) this.minutes.set(minute.start, (byInstance = new Map<string, Aggregate>()));
    byInstance.set(instanceId, minute);
  }

  private prune(now: number): void {
    for (const start of this.minutes.keys()) if (start < now - this.retentionMs) this.minutes.delete(start);
  }

  private async compact(): Promise<void> {
    if (!this.file) return;
    const lines: string[] = [];
    for (const byInstance of this.minutes.values()) {
      for (const [instance, minute] of byInstance) lines.push(JSON.stringify({ instance, minute }));
    }
    await writeFile(this.file, lines.length ? `${lines.join('\n')}\n` : '');
    this.appended = 0;
  }

  async writeMinute(instanceId: string, minute: Aggregate): Promise<void> {
    this.put(instanceId, minute);
    this.prune(minute.start + 60_000);
    if (!this.file) return;
    await appendFile(this.file, `${JSON.stringify({ instance: instanceId, minute })}\n`);
    // Keep the file near the retention window's size: rewrite once it holds twice what it should.
    if (++this.appended > this.retentionMs / 60_000) await this.compact();
  }

  async readMinutes(from: number, to: number): Promise<Map<number, Aggregate[]>> {
    const out = new Map<number, Aggregate[]>();
    for (const [start, byInstance] of [...this.minutes].sort((a, b) => a[0] - b[0])) {
      if (start >= from && start < to) out.set(start, [...byInstance.values()]);
    }
    return out;
  }

  async publishLive(instanceId: string, window: Aggregate, now: number): Promise<void> {
    this.live.set(instanceId, { at: now, window });
  }

  async readLive(now: number, maxAgeMs: number): Promise<Map<string, Aggregate>> {
    const out = new Map<string, Aggregate>();
    for (const [id, { at, window }] of this.live) if (now - at <= maxAgeMs) out.set(id, window);
    return out;
  }

  async close(): Promise<void> {}
}
