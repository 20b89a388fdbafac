import type { InvalidationBus, L2Cache } from '../cache/types.js';
import type { DependencyStatus } from '../observability/index.js';
import type { Store } from '../store/types.js';

/** Each dependency's state as this instance sees it now (the health score weighs them). */
export async function probeDependencies(
  store: Store,
  l2: L2Cache | undefined,
  bus: InvalidationBus,
): Promise<Record<string, DependencyStatus>> {
  const dependencies: Record<string, DependencyStatus> = {};
  try {
    await store.ping();
    dependencies.database = { state: 'up' };
  } catch (error) {
    dependencies.database = { state: 'down', detail: (error as Error).message };
  }
  if (l2) dependencies.redis = l2.available ? { state: 'up' } : { state: 'down', detail: 'circuit breaker open' };
  dependencies.bus = { state: bus.connected ? 'up' : 'down' };
  return dependencies;
}
