import { execFileSync } from 'node:child_process';
import { accessSync, constants } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { GeneratorName } from './types.js';

/** Whether an executable is on PATH. */
export function installed(command: string): boolean {
  for (const dir of (process.env.PATH ?? '').split(path.delimiter)) {
    if (!dir) continue;
    try {
      accessSync(path.join(dir, command), constants.X_OK);
      return true;
    } catch {
      // not in this directory
    }
  }
  return false;
}

/** `auto`: wrk when installed (it spends far less CPU per request than autocannon), else autocannon. */
export function pickGenerator(wanted: 'auto' | GeneratorName): GeneratorName {
  if (wanted === 'auto') return installed('wrk') ? 'wrk' : 'autocannon';
  return wanted;
}

/**
 * Servers on core 0 and the load generator on core 1 when there are two cores or more and taskset exists, so
 * the generator never takes the server's core. Redis and PostgreSQL are shared services: they are left unpinned.
 */
export function pickPinning(wanted: boolean): { serverCpu: number; generatorCpu: number } | undefined {
  if (!wanted || os.availableParallelism() < 2 || !installed('taskset')) return undefined;
  return { serverCpu: 0, generatorCpu: 1 };
}

/** Pins every thread of a running process to one CPU; a failure leaves it unpinned (reported by the caller). */
export function pinProcess(pid: number | undefined, cpu: number | undefined): boolean {
  if (pid === undefined || cpu === undefined) return false;
  try {
    execFileSync('taskset', ['-a', '-p', '-c', String(cpu), String(pid)], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}
