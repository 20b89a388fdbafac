import type { InvalidationBus, L2Cache } from '../cache/types.js';
import type { DependencyState } from '../http/deps.js';
import type { Store } from '../store/types.js';

/** Each dependency's state as this instance sees it now (the health score weighs them). */
export async function probeDependencies(store: Store, l2: L2Cache | undefined, bus: InvalidationBus): Promise<DependencyState[]> {
  const dependencies: DependencyState[] = [];
  try {
    await store.ping();
    dependencies.push({ name: 'database', ok: true });
  } catch (error) {
    dependencies.push({ name: 'database', ok: false, detail: (error as Error).message });
  }
  if (l2) dependencies.push({ name: 'redis', ok: l2.available, ...(l2.available ? {} : { detail: 'circuit breaker open' }) });
  dependencies.push({ name: 'bus', ok: bus.connected });
  return dependencies;
}
