import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/index.js';
import { createStore } from '../../src/store/create-store.js';
import { CLI } from '../helpers/server-process.js';
import { tempDir } from './run-cli.js';

const exec = promisify(execFile);

describe('tessera doctor: emails that collide once normalised', () => {
  it('reports accounts sharing a normalised address and emails now refused, and merges nothing', async () => {
    const dataDir = tempDir('doctor-emails');
    const store = await createStore(loadConfig({ TESSERA_DATA_DIR: dataDir, LOG_LEVEL: 'silent' }));
    await store.migrate();
    const create = (email: string) =>
      store.users.create({ tenant: 'default', email, name: null, passwordHash: 'x', roles: ['user'] }, Date.now());
    // What the old rule (trim, lower-case) let through as four accounts for two people, and one invisible trick.
    const nfc = await create('josé@example.test'.normalize('NFC'));
    const nfd = await create('josé@example.test'.normalize('NFD'));
    const ascii = await create('ada@example.test');
    const fullwidth = await create('ａｄａ@example.test');
    const hidden = await create('eve\u200b@example.test');
    await create('zoë@example.test'); // alone: fine
    await store.close();

    const { stdout } = await exec(process.execPath, [CLI, 'doctor'], {
      env: { PATH: process.env.PATH ?? '', TESSERA_DATA_DIR: dataDir, LOG_LEVEL: 'warn' },
    });
    const line = stdout.split('\n').find((l) => /^\S+\s+emails\s/.test(l)) ?? '';
    expect(line).toMatch(/^warn\s/);
    expect(line).toContain('2 address(es) held by more than one account');
    for (const user of [nfc, nfd, ascii, fullwidth, hidden]) expect(line).toContain(user.id);
    expect(line).toContain('1 account(s) whose email is now refused');
    expect(line).toContain('never merges');

    const after = await createStore(loadConfig({ TESSERA_DATA_DIR: dataDir, LOG_LEVEL: 'silent' }));
    expect(await after.users.count()).toBe(6);
    await after.close();
  });
});
