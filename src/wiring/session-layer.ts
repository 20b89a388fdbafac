import cluster from 'node:cluster';
import type { Logger } from 'pino';
import type { Config } from '../config/index.js';
import { AuditLog } from '../audit/audit-log.js';
import { PermissionResolver } from '../auth/permissions.js';
import type { CacheStack } from '../cache/stack.js';
import type { Metrics } from '../observability/metrics.js';
import { auditMetricsListener, securityWebhookListener } from '../observability/integration.js';
import { createSessionCore, type SessionCore, type SessionCoreConfig } from '../sessions/core.js';
import type { L1Value } from '../sessions/session-cache.js';
import type { SessionObserver } from '../sessions/types.js';
import type { Store } from '../store/types.js';
import type { Layer } from './layer.js';

export interface SessionLayer extends SessionCore {
  audit: AuditLog;
  permissions: PermissionResolver;
}

/** The audit log, permissions and the session core (cache, change feed, validation, manager). */
export function buildSessionLayer(
  config: SessionCoreConfig & Pick<Config, 'mode' | 'alertWebhook' | 'protectionFeatures'>,
  deps: { store: Store; stack: CacheStack<L1Value>; metrics: Metrics; observer: SessionObserver; logger: Logger },
): Layer<SessionLayer> {
  const { store, metrics, logger } = deps;
  const permissions = new PermissionResolver(store.roles);
  const audit = new AuditLog(store.audit, logger, config.protectionFeatures.audit);
  if (metrics.enabled) audit.onEvent(auditMetricsListener(metrics));
  if (config.alertWebhook && config.protectionFeatures.alerts)
    audit.onEvent(
      securityWebhookListener(config.alertWebhook, (error) => logger.warn({ err: error }, 'security webhook failed')),
    );
  const core = createSessionCore(config, {
    store,
    stack: deps.stack,
    permissions,
    audit,
    observer: deps.observer,
    logger,
    shared: config.mode === 'scaled' || cluster.isWorker,
  });
  return { service: { ...core, audit, permissions }, close: () => core.close() };
}
