import type { Command } from 'commander';
import { registerServe } from './serve.js';
import { registerMigrate } from './migrate.js';
import { registerUsers } from './users.js';
import { registerSessions } from './sessions.js';
import { registerCache } from './cache.js';
import { registerSecurity } from './security.js';
import { registerBench } from './bench.js';
import { registerDoctor } from './doctor.js';
import { registerLoadtest } from './loadtest.js';
import { registerCapacity } from './capacity.js';
import { registerServiceKeys } from './service-keys.js';

/** Each command lives in its own file and registers itself here. */
export const COMMANDS: Array<(program: Command) => void> = [
  registerServe,
  registerMigrate,
  registerUsers,
  registerSessions,
  registerCache,
  registerSecurity,
  registerBench,
  registerDoctor,
  registerLoadtest,
  registerCapacity,
  registerServiceKeys,
];
