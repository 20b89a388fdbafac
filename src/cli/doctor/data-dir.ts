import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import type { Config } from '../../config/index.js';
import { fail, ok, type CheckResult, errorMessage } from './types.js';

/** Embedded mode keeps its SQLite file there: it must exist (or be creatable) and take writes. */
export function checkDataDir(config: Config): CheckResult {
  const dir = path.resolve(config.dataDir);
  const probe = path.join(dir, `.doctor-${randomBytes(4).toString('hex')}`);
  try {
    mkdirSync(dir, { recursive: true });
    writeFileSync(probe, 'ok');
    rmSync(probe);
    return ok('data dir', `${dir} is writable`);
  } catch (error) {
    return fail(
      'data dir',
      `${dir} is not writable: ${errorMessage(error)}`,
      `create it and give the Tessera user write access, or point TESSERA_DATA_DIR elsewhere`,
    );
  }
}
