import { expect, it } from 'vitest';
import { MemoryAlertStore } from '../../src/observability/alerts/store.js';
import type { AlertChannel, AlertNotification } from '../../src/observability/alerts/types.js';
import { MemoryHistoryStore } from '../../src/observability/history-store-memory.js';
import { Observability } from '../../src/observability/index.js';
import { silentLogger, testSettings } from './harness.js';

it('built-in rules: a backlog of expired sessions and a stalled cleanup fire through the summary; a cleanup resolves it', async () => {
  let now = Date.UTC(2026, 0, 1, 0, 0, 0);
  const sent: AlertNotification[] = [];
  const channel: AlertChannel = { name: 'test', send: async (n) => void sent.push(n) };
  const obs = await Observability.create({
    settings: testSettings({ cleanupIntervalMs: 600_000 }),
    logger: silentLogger,
    sampleProcess: false,
    now: () => now,
    historyStore: MemoryHistoryStore.memory(86_400_000),
    alertStore: new MemoryAlertStore(),
    alertChannels: [channel],
  });
  try {
    let expired = 250_000;
    obs.metrics.setSessionStatsSource(async () => ({ active: 10, expired, revoked: 0 }));
    const firing = async () => (await obs.alerts.list('firing')).map((a) => a.rule).sort();
    await obs.evaluator!.tick();
    expect(await firing()).toEqual([]);
    now += 15 * 60_000; // 15 minutes: the backlog held for its `for`; cleanup has not run for 1.5× its interval
    await obs.evaluator!.tick();
    expect(await firing()).toEqual(['ExpiredSessionsPilingUp']);
    now += 6 * 60_000; // 21 minutes without a cleanup: over twice the 10-minute interval
    await obs.evaluator!.tick();
    expect(await firing()).toEqual(['CleanupStalled', 'ExpiredSessionsPilingUp']);
    obs.metrics.cleanupSucceeded(now, 250_000);
    expired = 0;
    now += 11_000; // past the session stats cache
    await obs.evaluator!.tick();
    expect(await firing()).toEqual([]);
    expect(sent.map((n) => `${n.status} ${n.alert.rule}`).sort()).toEqual([
      'firing CleanupStalled',
      'firing ExpiredSessionsPilingUp',
      'resolved CleanupStalled',
      'resolved ExpiredSessionsPilingUp',
    ]);
    expect(sent).toHaveLength(4);
  } finally {
    await obs.stop();
  }
});
