import { existsSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { lines, runCli, tempDir } from './run-cli.js';

describe.concurrent('--help', () => {
  const commands: Array<{ args: string[]; describes: RegExp }> = [
    { args: [], describes: /sessions and authentication/i },
    { args: ['serve'], describes: /Run the Tessera HTTP server/ },
    { args: ['migrate'], describes: /Apply pending database migrations/ },
    { args: ['users'], describes: /Manage user accounts/ },
    { args: ['users', 'create'], describes: /Create a user/ },
    { args: ['sessions'], describes: /Session maintenance/ },
    { args: ['sessions', 'cleanup'], describes: /Delete expired and long-revoked sessions/ },
    { args: ['cache'], describes: /Cache operations on a running server/ },
    { args: ['cache', 'warm'], describes: /Warm the given sessions/ },
    { args: ['bench'], describes: /Measure Tessera side by side/ },
    { args: ['doctor'], describes: /Check the configuration and every dependency/ },
    { args: ['security'], describes: /IP bans/ },
    { args: ['security', 'bans'], describes: /List and lift IP bans/ },
    { args: ['security', 'bans', 'list'], describes: /List the active IP bans/ },
    { args: ['security', 'bans', 'lift'], describes: /Lift the ban of an IP everywhere/ },
  ];

  it('every command and subcommand explains itself on stdout and exits 0', async () => {
    const results = await Promise.all(commands.map(({ args }) => runCli([...args, '--help'])));
    results.forEach((result, i) => {
      const { args, describes } = commands[i];
      expect(result.code, `tessera ${args.join(' ')} --help`).toBe(0);
      expect(result.stdout).toContain(`Usage: tessera${args.length ? ` ${args.join(' ')}` : ''}`);
      expect(result.stdout).toMatch(describes);
      expect(result.stderr).toBe('');
    });
  });

  it('lists the contract flags of each command', async () => {
    const [serve, create, cleanup] = await Promise.all([
      runCli(['serve', '--help']),
      runCli(['users', 'create', '--help']),
      runCli(['sessions', 'cleanup', '--help']),
    ]);
    for (const flag of [
      '--port',
      '--host',
      '--workers',
      '--data-dir',
      '--database-url',
      '--redis-url',
      '--session-idle-ttl',
      '--trust-proxy',
    ]) {
      expect(serve.stdout).toContain(flag);
    }
    for (const flag of ['--email', '--password', '--role']) expect(create.stdout).toContain(flag);
    for (const flag of ['--dry-run', '--batch-size']) expect(cleanup.stdout).toContain(flag);
  });
});

describe.concurrent('a wrong flag or value stops with one clear line and exit code 2', () => {
  const cases: Array<{ name: string; args: string[]; env?: Record<string, string>; says: RegExp[] }> = [
    { name: 'serve --port abc', args: ['serve', '--port', 'abc'], says: [/PORT.*integer.*"abc"/] },
    { name: 'serve --port 70000', args: ['serve', '--port', '70000'], says: [/PORT.*between 0 and 65535/] },
    { name: 'serve --bogus', args: ['serve', '--bogus'], says: [/unknown option '--bogus'/] },
    { name: 'serve --port (no value)', args: ['serve', '--port'], says: [/--port.*argument missing/] },
    {
      name: 'PORT=abc tessera serve',
      args: ['serve'],
      env: { PORT: 'abc' },
      says: [/^tessera: .*PORT must be an integer, got "abc"$/],
    },
    {
      name: 'serve --session-idle-ttl 10minutes',
      args: ['serve', '--session-idle-ttl', '10minutes'],
      says: [/SESSION_IDLE_TTL.*duration/],
    },
    { name: 'serve --workers 0', args: ['serve', '--workers', '0'], says: [/TESSERA_WORKERS.*between 1/] },
    { name: 'unknown command', args: ['frobnicate'], says: [/unknown command 'frobnicate'/] },
    {
      name: 'migrate --database-url http://x',
      args: ['migrate', '--database-url', 'http://x'],
      says: [/DATABASE_URL.*postgres/],
    },
    {
      name: 'users create without --email',
      args: ['users', 'create', '--password', 'long enough pw'],
      says: [/--email/],
    },
    {
      name: 'users create --password short',
      args: ['users', 'create', '--email', 'a@b.test', '--password', 'short'],
      says: [/^tessera: --password must be 8 to 256 characters$/],
    },
    {
      name: 'users create --email nope',
      args: ['users', 'create', '--email', 'nope', '--password', 'long enough pw'],
      says: [/--email.*'nope'.*email address/],
    },
    {
      name: 'users create --tenant "bad tenant"',
      args: ['users', 'create', '--email', 'a@b.test', '--password', 'long enough pw', '--tenant', 'bad tenant'],
      says: [/--tenant.*letters, digits/],
    },
    {
      name: 'sessions cleanup --batch-size 0',
      args: ['sessions', 'cleanup', '--batch-size', '0'],
      says: [/--batch-size.*positive integer/],
    },
    {
      name: 'sessions cleanup --batch-size abc',
      args: ['sessions', 'cleanup', '--batch-size', 'abc'],
      says: [/--batch-size.*positive integer/],
    },
    { name: 'bench --suite nope', args: ['bench', '--suite', 'nope'], says: [/unknown suite "nope"/] },
    { name: 'bench --rounds 0', args: ['bench', '--rounds', '0'], says: [/--rounds.*positive integer/] },
    { name: 'doctor --instances x', args: ['doctor', '--instances', 'x'], says: [/--instances.*positive integer/] },
    { name: 'sessions cleanup --bogus', args: ['sessions', 'cleanup', '--bogus'], says: [/unknown option '--bogus'/] },
    {
      name: 'several bad variables: one line each',
      args: ['serve'],
      env: { PORT: 'abc', SESSION_IDLE_TTL: 'forever', REDIS_URL: 'http://nope', TRUST_PROXY: 'maybe?' },
      says: [/PORT/, /REDIS_URL/, /SESSION_IDLE_TTL/, /TRUST_PROXY/],
    },
  ];

  it.each(cases.map((c) => [c.name, c] as const))('%s', async (_name, { args, env, says }) => {
    const cwd = tempDir();
    const result = await runCli(args, { env, cwd });
    expect(result.code).toBe(2);
    expect(result.stdout).toBe('');
    const errorLines = lines(result.stderr);
    expect(errorLines, result.stderr).toHaveLength(says.length);
    says.forEach((pattern) =>
      expect(
        errorLines.some((line) => pattern.test(line)),
        `${pattern} in ${result.stderr}`,
      ).toBe(true),
    );
    for (const line of errorLines) expect(line).not.toMatch(/^\s+at /); // no stack trace
    expect(existsSync(path.join(cwd, '.tessera'))).toBe(false); // stopped before touching anything
  });
});
