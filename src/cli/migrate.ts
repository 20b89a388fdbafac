import type { Command } from 'commander';
import { addConfigFlags, configOrExit } from './config-flags.js';

export function registerMigrate(program: Command): void {
  addConfigFlags(program.command('migrate').description('Apply pending database migrations (SQLite or PostgreSQL).'), [
    'dataDir',
    'databaseUrl',
    'databasePoolMax',
    'databaseTimeout',
  ]).action(async (options: Record<string, unknown>) => {
    const config = configOrExit(options);
    const { createStore } = await import('../store/create-store.js');
    const store = await createStore(config);
    try {
      const applied = await store.migrate();
      console.log(
        applied.length ? `applied ${applied.length} migration(s): ${applied.join(', ')}` : 'database is up to date',
      );
    } finally {
      await store.close();
    }
  });
}
