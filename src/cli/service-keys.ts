import { InvalidArgumentError, type Command } from 'commander';
import type { ConfigKey } from '../config/index.js';
import type { ServiceKeys } from '../auth/service-keys.js';
import { addConfigFlags, configOrExit } from './config-flags.js';

const STORE_FLAGS: ConfigKey[] = ['dataDir', 'databaseUrl', 'logLevel'];

const keyName = (value: string): string => {
  if (value.length < 1 || value.length > 100 || /[\u0000-\u001f\u007f]/.test(value))
    throw new InvalidArgumentError('NAME must be 1 to 100 characters, no control characters.');
  return value;
};

/** Opens the store (migrated) and the audit log, runs `work` with the service keys, closes the store. */
async function withServiceKeys(options: Record<string, unknown>, work: (keys: ServiceKeys) => Promise<void>) {
  const config = configOrExit({ ...options, logLevel: options.logLevel ?? 'warn' });
  const [{ createStore }, { ServiceKeys }, { AuditLog }, { createLogger }] = await Promise.all([
    import('../store/create-store.js'),
    import('../auth/service-keys.js'),
    import('../audit/audit-log.js'),
    import('../logger.js'),
  ]);
  const store = await createStore(config);
  try {
    await store.migrate();
    await work(new ServiceKeys(store.db, new AuditLog(store.audit, createLogger(config))));
  } finally {
    await store.close();
  }
}

export function registerServiceKeys(program: Command): void {
  const keys = program
    .command('service-keys')
    .description('Keys (tsk_…) that let an application backend read the revocation stream.');
  addConfigFlags(
    keys
      .command('create')
      .description('Create a service key and print it once (only its hash is stored).')
      .argument('<NAME>', 'what uses the key, e.g. "billing-api"', keyName),
    STORE_FLAGS,
  ).action(async (name: string, options: Record<string, unknown>) => {
    await withServiceKeys(options, async (serviceKeys) => {
      const { key, serviceKey } = await serviceKeys.create(name, { by: 'cli' });
      console.log(JSON.stringify({ key, serviceKey }));
    });
  });
  addConfigFlags(
    keys.command('list').description('List service keys (never the keys themselves).'),
    STORE_FLAGS,
  ).action(async (options: Record<string, unknown>) => {
    await withServiceKeys(options, async (serviceKeys) => {
      console.log(JSON.stringify({ serviceKeys: await serviceKeys.list() }));
    });
  });
  addConfigFlags(
    keys
      .command('revoke')
      .description('Revoke a service key: it opens nothing from now on.')
      .argument('<ID>', 'the key id, from `tessera service-keys list`'),
    STORE_FLAGS,
  ).action(async (id: string, options: Record<string, unknown>) => {
    await withServiceKeys(options, async (serviceKeys) => {
      const revoked = await serviceKeys.revoke(id, { by: 'cli' });
      if (!revoked) {
        console.error(`tessera: no service key has the id ${id}`);
        process.exitCode = 1;
        return;
      }
      console.log(JSON.stringify({ serviceKey: revoked }));
    });
  });
}
