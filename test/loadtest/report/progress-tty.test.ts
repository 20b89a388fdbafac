import { execFile } from 'node:child_process';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureBuilt, ROOT, tessera } from '../cli/run-cli.js';

const BAR = /[█░]/;
const ANSI_REDRAW = /\x1b\[(2K|1A|\d*G|\?25l)/;

let server: http.Server;
let url: string;

beforeAll(async () => {
  ensureBuilt();
  server = http.createServer((_req, res) => res.end('ok'));
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
});
afterAll(() => new Promise<void>((r) => server.close(() => r())));

/** Runs the CLI inside a pseudo-terminal (util-linux `script`), the way a person at a terminal sees it. */
function inTerminal(args: string[]): Promise<string> {
  // A fresh pty has no size (0×0); give it a terminal's, as a real one has.
  const command = `stty cols 120 rows 40; ${[process.execPath, `${ROOT}dist/cli/main.js`, ...args].map((a) => `'${a}'`).join(' ')}`;
  return new Promise((resolve) => {
    execFile('script', ['-q', '-e', '-c', command, '/dev/null'], { cwd: ROOT, timeout: 30_000 }, (_error, stdout) =>
      resolve(stdout),
    );
  });
}

describe('live progress', () => {
  it('redraws a progress bar in place on a terminal', async () => {
    const out = await inTerminal(['loadtest', '--url', url, '--vus', '2', '--duration', '3s']);
    expect(out).toMatch(BAR);
    expect(out).toMatch(ANSI_REDRAW);
    expect(out).toMatch(/req\/s/);
  });

  it('writes no bar and no cursor control when not on a terminal', async () => {
    const { code, stdout, stderr } = await tessera(['loadtest', '--url', url, '--vus', '2', '--duration', '3s']);
    expect(code).toBe(0);
    expect(stdout + stderr).not.toMatch(BAR);
    expect(stdout + stderr).not.toMatch(ANSI_REDRAW);
  });
});
