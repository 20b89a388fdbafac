import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apiClient, PASSWORD, startTestTessera, uniqueEmail, type TestTessera } from '../helpers/tessera.js';

/** tessera_logins_total{outcome} as /metrics reports it. */
async function loginsCounted(url: string, outcome: string): Promise<number> {
  const text = await (await fetch(`${url}/metrics`)).text();
  const line = text.split('\n').find((l) => l.startsWith(`tessera_logins_total{outcome="${outcome}"}`));
  return line ? Number(line.split(' ').pop()) : 0;
}

describe('a login flood is shed, not queued without bound', () => {
  let server: TestTessera;
  let api: ReturnType<typeof apiClient>;
  const email = uniqueEmail('flood');

  beforeAll(async () => {
    server = await startTestTessera({
      PASSWORD_HASH_CONCURRENCY: '1',
      PASSWORD_HASH_QUEUE_MAX: '3',
      PASSWORD_HASH_QUEUE_WAIT: '30s',
    });
    api = apiClient(server.url);
    expect((await api('POST', '/v1/auth/signup', { email, password: PASSWORD })).status).toBe(201);
  });
  afterAll(() => server?.stop());

  it('answers the logins beyond the queue at once with 503 unavailable and Retry-After; the admitted ones succeed', async () => {
    const shedBefore = await loginsCounted(server.url, 'shed');
    const started = performance.now();
    const answers = await Promise.all(
      Array.from({ length: 24 }, async () => {
        const res = await api('POST', '/v1/auth/login', { email, password: PASSWORD });
        return { ...res, ms: performance.now() - started };
      }),
    );
    const shed = answers.filter((a) => a.status === 503);
    const admitted = answers.filter((a) => a.status === 200);
    expect(shed.length + admitted.length).toBe(24);
    // One hashing, three waiting: the rest arrive while the queue is full (a few more may be admitted as it drains).
    expect(shed.length).toBeGreaterThanOrEqual(12);
    expect(admitted.length).toBeGreaterThanOrEqual(4);
    for (const answer of shed) {
      expect(answer.body.error).toMatchObject({ code: 'unavailable', message: expect.any(String) });
      expect(answer.body.error.requestId).toEqual(expect.any(String));
      expect(Number(answer.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
      // Shed before the account lookup: a flood costs no database query.
      expect(answer.headers.get('x-db-queries')).toBe('0');
    }
    // Shed logins are answered without waiting for a hash: before the last admitted one, which waited for four.
    expect(Math.max(...shed.map((a) => a.ms))).toBeLessThan(Math.max(...admitted.map((a) => a.ms)));
    expect((await loginsCounted(server.url, 'shed')) - shedBefore).toBe(shed.length);
  });

  it('sheds signups the same way (they hash too)', async () => {
    const answers = await Promise.all(
      Array.from({ length: 16 }, () => api('POST', '/v1/auth/signup', { email: uniqueEmail('s'), password: PASSWORD })),
    );
    const statuses = answers.map((a) => a.status);
    expect(statuses.filter((s) => s === 503).length).toBeGreaterThan(0);
    expect(statuses.every((s) => s === 201 || s === 503)).toBe(true);
    expect(answers.find((a) => a.status === 503)!.headers.get('retry-after')).toMatch(/^\d+$/);
  });

  it('never sheds a login at normal load, one after another', async () => {
    const shedBefore = await loginsCounted(server.url, 'shed');
    for (let i = 0; i < 6; i += 1)
      expect((await api('POST', '/v1/auth/login', { email, password: PASSWORD })).status).toBe(200);
    expect(await loginsCounted(server.url, 'shed')).toBe(shedBefore);
  });
});
