import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN_TOKEN, startHarness } from './harness.js';

describe('observability endpoints under arbitrary input', () => {
  let h: Awaited<ReturnType<typeof startHarness>>;
  beforeAll(async () => {
    h = await startHarness();
  });
  afterAll(() => h.close());

  const expectClean = (res: { statusCode: number; json: () => any }, what: string): void => {
    expect(res.statusCode, what).toBeLessThan(500);
    if (res.statusCode >= 400) expect(res.json().error.code, what).toMatch(/^[a-z_]+$/);
  };

  it('query strings never yield a 5xx; errors are in the one shape', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(
          '/v1/admin/metrics/history',
          '/v1/admin/metrics/export',
          '/v1/admin/alerts',
          '/v1/admin/metrics/summary',
        ),
        fc.dictionary(
          fc.constantFrom('window', 'format', 'state', 'x'),
          fc.oneof(fc.string(), fc.constantFrom('1h', '24h', '0m', '-1h', '1e9d', 'csv', 'firing')),
        ),
        async (path, query) => {
          const res = await h.app.inject({ url: path, query, headers: { authorization: `Bearer ${ADMIN_TOKEN}` } });
          expectClean(res, `${path} ${JSON.stringify(query)}`);
        },
      ),
      { numRuns: 150 },
    );
  });

  it('rule sets and alert ids never yield a 5xx', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(
          fc.jsonValue(),
          fc.record({
            rules: fc.array(
              fc.dictionary(
                fc.constantFrom('name', 'expr', 'op', 'threshold', 'for', 'severity', 'description'),
                fc.jsonValue(),
              ),
              { maxLength: 4 },
            ),
          }),
        ),
        async (body) => {
          const res = await h.app.inject({
            method: 'PUT',
            url: '/v1/admin/alerts/rules',
            payload: JSON.stringify(body),
            headers: { authorization: `Bearer ${ADMIN_TOKEN}`, 'content-type': 'application/json' },
          });
          expectClean(res, JSON.stringify(body));
        },
      ),
      { numRuns: 150 },
    );
    await fc.assert(
      fc.asyncProperty(
        fc.string({ minLength: 1, maxLength: 100 }),
        fc.constantFrom('ack', 'resolve'),
        async (id, action) => {
          const res = await h.app.inject({
            method: 'POST',
            url: `/v1/admin/alerts/${encodeURIComponent(id)}/${action}`,
            headers: { authorization: `Bearer ${ADMIN_TOKEN}` },
          });
          expectClean(res, id);
        },
      ),
      { numRuns: 100 },
    );
  });
});
