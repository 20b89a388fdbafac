import { InvalidArgumentError, type Command } from 'commander';
import { addConfigFlags, configOrExit } from './config-flags.js';

export function registerSessions(program: Command): void {
  const sessions = program.command('sessions').description('Session maintenance.');
  addConfigFlags(
    sessions
      .command('cleanup')
      .description('Delete expired and long-revoked sessions in batches; prints deleted and remaining counts.')
      .option('--dry-run', 'count what would be deleted, delete nothing')
      .option('--batch-size <n>', 'rows per batch', (v) => {
        if (!/^\d+$/.test(v) || Number(v) < 1)
          throw new InvalidArgumentError('--batch-size must be a positive integer.');
        return Number(v);
      }),
    ['dataDir', 'databaseUrl', 'cleanupRevokedRetention'],
  ).action(async (options: { dryRun?: boolean; batchSize?: number } & Record<string, unknown>) => {
    const config = configOrExit(options);
    const [{ createStore }, { cleanupSessions }] = await Promise.all([
      import('../store/create-store.js'),
      import('../sessions/cleanup.js'),
    ]);
    const store = await createStore(config);
    try {
      await store.migrate();
      const result = await cleanupSessions(store, {
        batchSize: options.batchSize ?? config.cleanupBatchSize,
        revokedRetentionMs: config.cleanupRevokedRetention,
        dryRun: Boolean(options.dryRun),
        lockTtlMs: 60_000,
      });
      if (result.skipped) {
        console.log('another instance is cleaning up right now; nothing done');
      } else {
        const verb = options.dryRun ? 'would delete' : 'deleted';
        console.log(`${verb} ${result.deleted} session(s); ${result.remaining} remaining`);
      }
    } finally {
      await store.close();
    }
  });
}
