import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../cli/run-cli.js';
import { apiClient, newSession, PASSWORD, startTestTessera, type TestTessera } from '../helpers/tessera.js';

const ADMIN = { email: 'advice-admin@example.test', password: PASSWORD };
const METRICS_TOKEN = 'metrics-token-for-advice-0123456789';

const servers: TestTessera[] = [];
afterAll(async () => {
  await Promise.all(servers.map((s) => s.stop()));
});

async function start(env: Record<string, string>) {
  const server = await startTestTessera({
    TESSERA_ADMIN_EMAIL: ADMIN.email,
    TESSERA_ADMIN_PASSWORD: ADMIN.password,
    METRICS_TOKEN,
    ...env,
  });
  servers.push(server);
  const api = apiClient(server.url);
  const admin = (await api('POST', '/v1/auth/login', ADMIN)).body.token as string;
  const advice = async (token = admin) => {
    const res = await api('GET', '/v1/admin/cache/advice', undefined, { token });
    expect(res.status).toBe(200);
    return res.body as { advice: Array<{ id: string; change: string; why: string }>; inputs: Record<string, any> };
  };
  return { server, api, admin, advice };
}

const ids = (body: { advice: Array<{ id: string }> }) => body.advice.map((a) => a.id);

describe('GET /v1/admin/cache/advice and tessera doctor --tune', () => {
  let a: Awaited<ReturnType<typeof start>>;
  beforeAll(async () => {
    a = await start({ SESSION_L1_MAX: '4', WARM_ENABLED: 'false' });
  });

  it('for an admin or the metrics token; 401 without, 403 for a plain user', async () => {
    const user = await newSession(a.api);
    expect((await a.api('GET', '/v1/admin/cache/advice')).status).toBe(401);
    expect((await a.api('GET', '/v1/admin/cache/advice', undefined, { token: user.token })).status).toBe(403);
    const viaMetrics = await a.advice(METRICS_TOKEN);
    expect(viaMetrics.inputs.l1).toMatchObject({ max: 4 });
    expect(JSON.stringify(viaMetrics)).not.toContain('sess:'); // no key, no token hash
  });

  it('the advice follows the live figures: L1 fills up and evicts → raise SESSION_L1_MAX; warming off → turn it on', async () => {
    const before = await a.advice();
    expect(ids(before)).not.toContain('l1-full');
    for (let i = 0; i < 6; i++) {
      const { token } = await newSession(a.api);
      expect((await a.api('GET', '/v1/auth/session', undefined, { token })).status).toBe(200);
    }
    const after = await a.advice();
    expect(ids(after)).toEqual(expect.arrayContaining(['l1-full', 'warming-off']));
    const full = after.advice.find((x) => x.id === 'l1-full')!;
    expect(full.change).toBe('SESSION_L1_MAX=8');
    expect(full.why).toMatch(/holds 4 of 4 entries and has evicted \d+/);
    expect(after.advice.find((x) => x.id === 'warming-off')!.why).toMatch(/the \d+ active sessions/);
  });

  it('entries that expire before their sessions come back → longer SESSION_L1_TTL; a large L1 for the RSS budget → a smaller one', async () => {
    const b = await start({ SESSION_L1_TTL: '1ms', RSS_BUDGET_BYTES: String(64 * 1024 * 1024) });
    const first = await b.advice();
    expect(ids(first)).toEqual(['l1-memory']); // 100 000 entries × 1.9 KB > 32 MiB
    const { token } = await newSession(b.api);
    for (let i = 0; i < 120; i++) await b.api('GET', '/v1/auth/session', undefined, { token });
    const second = await b.advice();
    expect(ids(second)).toEqual(['l1-memory', 'l1-hit-rate-low']);
    expect(second.advice[1].change).toBe('SESSION_L1_TTL=5s or SESSION_TTL_ADAPTIVE=true');
  });

  it('tessera doctor --tune --url prints each suggestion with its numbers; exit 1 with warnings, 2 when it cannot ask', async () => {
    const tuned = await runCli(['doctor', '--tune', '--url', a.server.url, '--token', METRICS_TOKEN]);
    expect(tuned.stderr).toBe('');
    expect(tuned.stdout).toMatch(/^warn {2}l1-full {2}SESSION_L1_MAX=8\n {6}why: L1 holds 4 of 4 entries/m);
    expect(tuned.stdout).toMatch(/^info {2}warming-off {2}WARM_ENABLED=true/m);
    expect(tuned.code).toBe(1);
    const viaEnv = await runCli(['doctor', '--tune', '--url', a.server.url], { env: { TESSERA_TOKEN: a.admin } });
    expect(viaEnv.code).toBe(1);
    const refused = await runCli(['doctor', '--tune', '--url', a.server.url, '--token', 'wrong']);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toMatch(/answered 401 unauthenticated \(--token: an admin token or METRICS_TOKEN\)/);
  });
});
