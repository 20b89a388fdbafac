import { expect } from 'vitest';
import type { Api } from '../../coherence/support/instances.js';
import { sleep } from '../../coherence/support/trials.js';
import { ledgerSize, startWriteLoad, verifyLedger } from './write-ledger.js';

export interface Outage {
  name: string;
  /** Takes the dependency (or the instance) down. */
  down(): Promise<void>;
  /** Brings it back. */
  up(): Promise<void>;
  /** How long it stays down. */
  downMs: number;
}

/**
 * Runs the write load through `api()`, does each outage in turn (1 s of load before, `afterMs` after it is
 * back), then stops the load and checks every acknowledged write through `api()`. Prints, per outage, the error
 * window (503s and unanswered requests, ms after it began) and the figures.
 */
export async function runWritesThroughOutages(
  label: string,
  api: () => Api,
  outages: Outage[],
  { afterMs = 3000, allowNoAnswer = false }: { afterMs?: number; allowNoAnswer?: boolean } = {},
): Promise<void> {
  const load = startWriteLoad(api);
  const lines = [`${label}:`];
  try {
    await sleep(1000);
    for (const outage of outages) {
      const start = Date.now();
      await outage.down();
      await sleep(outage.downMs);
      await outage.up();
      const upAt = Date.now();
      await sleep(afterMs);
      const errors = load.errors.filter((t) => t >= start);
      const lastError = errors.length ? Math.max(...errors) : undefined;
      lines.push(
        `  ${outage.name}: down ${upAt - start} ms; ${errors.length} requests answered 503 or unanswered${
          errors.length ? ` from +${Math.min(...errors) - start} ms to +${lastError! - start} ms` : ''
        }`,
      );
      // Recovered by itself: the last seconds of load went through.
      expect(lastError === undefined || lastError < upAt + afterMs - 1000, `${outage.name}: still failing`).toBe(true);
    }
  } finally {
    await load.stop();
  }
  const { ledger } = load;
  lines.push(`  statuses: ${JSON.stringify(ledger.statuses)}; acknowledged: ${JSON.stringify(ledgerSize(ledger))}`);
  const problems = await verifyLedger(api(), ledger);
  lines.push(`  acknowledged writes missing or inconsistent: ${problems.length}`);
  console.log(lines.join('\n'));
  expect(problems).toEqual([]);
  expect(ledger.unexpected, 'every answer is the expected 2xx or a 503').toEqual([]);
  if (!allowNoAnswer) expect(ledger.statuses['no answer'] ?? 0).toBe(0);
  expect(ledgerSize(ledger).signups).toBeGreaterThan(0);
  expect(ledger.dataWrites).toBeGreaterThan(0);
}
