import { fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { BenchSettings, SuiteResult } from '../types.js';
import type { Suite } from './types.js';

const PROBE = fileURLToPath(new URL('../memory-probe.js', import.meta.url));
const SIZES = [10_000, 100_000];

interface ProbeResult {
  entries: number;
  bytesPerEntry: number;
  bytesPerEntryWithBody: number;
  bodyBytes: number;
  cached: boolean;
  error?: string;
}

function probe(entries: number): Promise<ProbeResult> {
  return new Promise((resolve, reject) => {
    const child = fork(PROBE, [], { execArgv: ['--expose-gc'], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    child.once('message', (m: ProbeResult) => (m.error ? reject(new Error(m.error)) : resolve(m)));
    child.once('exit', (code) => reject(new Error(`memory probe exited with code ${code}`)));
    child.send({ entries });
  });
}

/** Heap bytes per cached session in L1 (entry, LRU slot, tag index), in a fresh process each size. */
export const memorySuite: Suite = {
  name: 'memory',
  description: 'heap bytes per cached session in L1 (global.gc in a child process)',
  async run(_settings: BenchSettings): Promise<SuiteResult> {
    const rows: SuiteResult['rows'] = [];
    for (const entries of SIZES) {
      const r = await probe(entries);
      if (!r.cached) throw new Error('memory probe: the last entry was not in the cache');
      rows.push({
        entries: r.entries,
        bytesPerEntry: r.bytesPerEntry,
        bytesPerEntryWithBody: r.bytesPerEntryWithBody,
        bodyBytes: r.bodyBytes,
        mbAt: Math.round((r.bytesPerEntryWithBody * r.entries) / 1e5) / 10,
      });
    }
    return {
      suite: 'memory',
      title: 'Memory per cached session (L1)',
      columns: [
        ['entries', 'entries'],
        ['bytesPerEntry', 'bytes/entry'],
        ['bytesPerEntryWithBody', 'bytes/entry with body'],
        ['bodyBytes', 'body bytes'],
        ['mbAt', 'MB in total'],
      ],
      rows,
      summary: { sizes: rows },
      notes: [
        '"with body": after the first validation, which memoises the JSON response in the entry (what a busy L1 holds)',
      ],
      skipped: [],
    };
  },
};
