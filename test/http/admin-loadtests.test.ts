import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apiClient, newSession, PASSWORD, startTestTessera, type TestTessera } from '../helpers/tessera.js';
import { waitUntil } from '../helpers/poll.js';

const ADMIN_EMAIL = 'lt-admin@example.test';
const K6_METRICS = [
  'http_reqs',
  'http_req_duration',
  'http_req_failed',
  'iterations',
  'iteration_duration',
  'dropped_iterations',
  'checks',
  'vus',
];

/** Load tests run by the server against itself: real server, real SQLite, tiny runs. */
describe('admin load-test API', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'tessera-lt-api-'));
  let t: TestTessera;
  let api: ReturnType<typeof apiClient>;
  let admin: string;
  const start = async () => {
    t = await startTestTessera({
      TESSERA_ADMIN_EMAIL: ADMIN_EMAIL,
      TESSERA_ADMIN_PASSWORD: PASSWORD,
      TESSERA_DATA_DIR: dataDir,
    });
    api = apiClient(t.url);
    admin = (await api('POST', '/v1/auth/login', { email: ADMIN_EMAIL, password: PASSWORD })).body.token;
  };
  const finished = async (id: string, timeoutMs = 20_000) => {
    let run: any;
    await waitUntil(
      async () => {
        run = (await api('GET', `/v1/admin/loadtests/${id}`, undefined, { token: admin })).body.run;
        return run.status !== 'running';
      },
      timeoutMs,
      `load test ${id} to end`,
    );
    return run;
  };
  let smokeId: string;

  beforeAll(start);
  afterAll(async () => {
    await t?.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('401 without a session, 403 without the admin role', async () => {
    const user = await newSession(api);
    for (const [method, path] of [
      ['GET', '/v1/admin/loadtests'],
      ['GET', '/v1/admin/loadtests/presets'],
      ['POST', '/v1/admin/loadtests'],
      ['GET', '/v1/admin/loadtests/x/report'],
      ['POST', '/v1/admin/loadtests/x/stop'],
    ] as const) {
      const body = method === 'POST' ? {} : undefined;
      const anonymous = await api(method, path, body);
      expect(anonymous.status, path).toBe(401);
      expect(anonymous.body.error.code).toBe('unauthenticated');
      const plain = await api(method, path, body, { token: user.token });
      expect(plain.status, path).toBe(403);
      expect(plain.body.error.code).toBe('forbidden');
    }
  });

  it('describes every route with its schemas in the OpenAPI document', async () => {
    const docs = (await api('GET', '/docs')).body;
    const paths = docs.paths;
    for (const [path, method] of [
      ['/v1/admin/loadtests/presets', 'get'],
      ['/v1/admin/loadtests', 'post'],
      ['/v1/admin/loadtests', 'get'],
      ['/v1/admin/loadtests/{id}', 'get'],
      ['/v1/admin/loadtests/{id}/stop', 'post'],
      ['/v1/admin/loadtests/{id}/report', 'get'],
      ['/v1/admin/loadtests/{id}/baseline', 'post'],
      ['/v1/admin/loadtests/{id}/compare', 'get'],
    ]) {
      expect(paths[path]?.[method], `${method} ${path}`).toMatchObject({
        tags: ['loadtests'],
        summary: expect.any(String),
      });
    }
    const post = paths['/v1/admin/loadtests'].post;
    expect(Object.keys(post.requestBody.content['application/json'].schema.properties)).toEqual([
      'scenario',
      'suite',
      'profile',
      'vus',
      'rate',
      'duration',
      'target',
      'thresholds',
      'name',
    ]);
    expect(Object.keys(post.responses)).toEqual(expect.arrayContaining(['202', '400', '401', '403', '409']));
    expect(paths['/v1/admin/loadtests/{id}/compare'].get.parameters.map((p: any) => p.name)).toEqual(
      expect.arrayContaining(['id', 'baseline', 'tolerance']),
    );
  });

  it('lists the presets: scenarios × profiles and suites, with their defaults and the limits', async () => {
    const res = await api('GET', '/v1/admin/loadtests/presets', undefined, { token: admin });
    expect(res.status).toBe(200);
    const { presets, limits, defaultTarget, profiles, suites } = res.body;
    expect(defaultTarget).toBe(`${t.url}/`);
    expect(res.body.notes).toEqual([expect.stringMatching(/add 127\.0\.0\.1 to IP_ALLOWLIST/)]);
    expect(limits.maxDurationMs).toBe(600_000);
    expect(presets.find((p: any) => p.id === 'auth/smoke')).toMatchObject({
      body: { scenario: 'auth', profile: 'smoke' },
      model: 'closed',
      durationMs: 10_000,
      vus: 1,
    });
    expect(presets.find((p: any) => p.id === 'session/breakpoint')).toMatchObject({ model: 'open', rate: 500 });
    expect(presets.find((p: any) => p.id === 'suite/basic')).toMatchObject({
      body: { suite: 'basic' },
      durationMs: 40_000,
    });
    // Soak lasts 30 minutes on the command line; the server caps every run at 10.
    expect(profiles.find((p: any) => p.name === 'soak').durationMs).toBe(600_000);
    expect(suites.map((s: any) => s.name)).toEqual(['basic', 'comprehensive', 'stress']);
    // This server does not trust X-Forwarded-For from itself: attack scenarios are flagged and refused against it.
    expect(res.body.scenarios.find((s: any) => s.name === 'bruteforce').selfNote).toMatch(/TRUST_PROXY/);
    const attack = await api(
      'POST',
      '/v1/admin/loadtests',
      { scenario: 'bruteforce', duration: '1s' },
      { token: admin },
    );
    expect(attack.status).toBe(400);
    expect(attack.body.error.details).toEqual([
      { field: 'scenario', message: expect.stringMatching(/ban the server's own address/) },
    ]);
  });

  it('runs a preset against the server itself; a second run at the same time is refused with 409', async () => {
    const body = { scenario: 'auth', profile: 'smoke', vus: 2, duration: '1s', name: 'e2e smoke' };
    const [a, b] = await Promise.all([
      api('POST', '/v1/admin/loadtests', body, { token: admin }),
      api('POST', '/v1/admin/loadtests', body, { token: admin }),
    ]);
    const accepted = [a, b].find((r) => r.status === 202)!;
    const refused = [a, b].find((r) => r.status !== 202)!;
    expect(refused.status).toBe(409);
    expect(refused.body.error.code).toBe('loadtest_running');
    expect(accepted.body.run).toMatchObject({
      status: 'running',
      preset: 'auth/smoke',
      name: 'e2e smoke',
      target: `${t.url}/`,
      local: true,
      createdBy: ADMIN_EMAIL,
    });
    expect(accepted.headers.get('location')).toBe(`/v1/admin/loadtests/${accepted.body.run.id}`);
    smokeId = accepted.body.run.id;

    const run = await finished(smokeId);
    expect(run.status).toBe('passed');
    expect(run.grade).toMatch(/^[A-F]$/);
    expect(run.progress).toBeNull();
    expect(run.summary.metrics.http_reqs.values.count).toBeGreaterThan(0);
    expect(run.summary.thresholds).toEqual({ 'http_req_failed: rate<0.01': { ok: true, value: 0 } });

    const list = await api('GET', '/v1/admin/loadtests', undefined, { token: admin });
    expect(list.body.runs[0]).toMatchObject({ id: smokeId, status: 'passed', name: 'e2e smoke', grade: run.grade });
    expect(list.body.runs[0].summary).toBeUndefined();
  });

  it('serves the report: the JSON report with k6 keys, the HTML page with its own CSP, and CSV', async () => {
    const json = await api('GET', `/v1/admin/loadtests/${smokeId}/report`, undefined, { token: admin });
    expect(json.status).toBe(200);
    expect(json.headers.get('content-type')).toMatch(/^application\/json/);
    for (const name of K6_METRICS) expect(json.body.metrics[name]?.values, name).toBeTypeOf('object');
    expect(Object.keys(json.body.metrics.http_req_duration.values)).toEqual(
      expect.arrayContaining(['avg', 'min', 'med', 'max', 'p(90)', 'p(95)', 'p(99)']),
    );
    expect(json.body).toMatchObject({
      tool: 'tessera loadtest',
      label: 'e2e smoke',
      grade: expect.any(String),
      steps: { login: expect.any(Object) },
    });
    expect(json.body.histograms.totals).toBeDefined();

    const html = await api('GET', `/v1/admin/loadtests/${smokeId}/report?format=html`, undefined, { token: admin });
    expect(html.status).toBe(200);
    expect(html.headers.get('content-type')).toMatch(/^text\/html/);
    expect(html.body).toContain('<title>Tessera load test — e2e smoke</title>');
    expect(html.headers.get('content-security-policy')).toMatch(/script-src 'sha256-[^']+' 'sha256-[^']+'/);

    const csv = await api('GET', `/v1/admin/loadtests/${smokeId}/report?format=csv`, undefined, { token: admin });
    expect(csv.headers.get('content-type')).toMatch(/^text\/csv/);
    expect(csv.body.split('\n')[0]).toMatch(/^scope,name,count/);
  });

  it('saves a baseline and compares a run with it', async () => {
    const saved = await api('POST', `/v1/admin/loadtests/${smokeId}/baseline`, undefined, { token: admin });
    expect(saved.status).toBe(201);
    expect(saved.body.baseline).toMatchObject({ id: smokeId, runId: smokeId, name: 'e2e smoke' });
    expect((await api('POST', `/v1/admin/loadtests/${smokeId}/baseline`, undefined, { token: admin })).status).toBe(
      200,
    );
    expect((await api('GET', `/v1/admin/loadtests/${smokeId}`, undefined, { token: admin })).body.run.baseline).toBe(
      true,
    );

    const same = await api('GET', `/v1/admin/loadtests/${smokeId}/compare?baseline=${smokeId}`, undefined, {
      token: admin,
    });
    expect(same.status).toBe(200);
    expect(same.body).toMatchObject({
      run: smokeId,
      baseline: { id: smokeId, name: 'e2e smoke' },
      tolerancePct: 10,
      regressed: false,
    });
    expect(same.body.verdicts.map((v: any) => v.metric)).toEqual([
      'http_req_duration p(50)',
      'http_req_duration p(90)',
      'http_req_duration p(99)',
      'http_reqs rate',
      'http_req_failed rate',
    ]);

    const missing = await api('GET', `/v1/admin/loadtests/${smokeId}/compare?baseline=nope`, undefined, {
      token: admin,
    });
    expect(missing.status).toBe(404);
    const badTolerance = await api(
      'GET',
      `/v1/admin/loadtests/${smokeId}/compare?baseline=${smokeId}&tolerance=5000`,
      undefined,
      { token: admin },
    );
    expect(badTolerance.status).toBe(400);
  });

  it('stops a longer run (status stopped, partial report); junk never yields a 5xx meanwhile', async () => {
    const started = await api(
      'POST',
      '/v1/admin/loadtests',
      { scenario: 'session', rate: 2, duration: '2m' },
      { token: admin },
    );
    expect(started.status).toBe(202);
    const id = started.body.run.id;
    await waitUntil(
      async () =>
        (await api('GET', `/v1/admin/loadtests/${id}`, undefined, { token: admin })).body.run.progress?.reqs > 0,
      15_000,
      'progress',
    );
    expect((await api('GET', `/v1/admin/loadtests/${id}/report`, undefined, { token: admin })).body.error.code).toBe(
      'loadtest_not_finished',
    );

    // While it runs every valid start is refused with 409, so arbitrary bodies cannot start anything.
    const body = fc.oneof(
      fc.jsonValue().map((v) => JSON.stringify(v)),
      fc
        .record(
          {
            scenario: fc.oneof(fc.string(), fc.constantFrom('auth', 'session', 'bot')),
            suite: fc.constantFrom('basic', 'x', 7),
            profile: fc.oneof(fc.string(), fc.constantFrom('smoke', 'soak')),
            vus: fc.oneof(fc.integer({ min: -5, max: 1_000_000 }), fc.double(), fc.string()),
            rate: fc.oneof(fc.double(), fc.constant(0)),
            duration: fc.oneof(fc.string(), fc.constantFrom('1s', '0s', '11m', '1h', '1e3s', '-1s')),
            target: fc.oneof(
              fc.string(),
              fc.webUrl(),
              fc.constantFrom('file:///etc/passwd', 'http://user:pw@127.0.0.1:1/', 'http://10.0.0.1/'),
            ),
            thresholds: fc.oneof(fc.array(fc.string()), fc.constant(['http_req_failed: rate<0.01'])),
            name: fc.string(),
            extra: fc.anything(),
          },
          { requiredKeys: [] },
        )
        .map((v) => JSON.stringify(v)),
      fc.string(),
    );
    const safe = (s: string) => encodeURIComponent(s);
    const request = fc.oneof(
      body.map((b) => ['POST', '/v1/admin/loadtests', b] as const),
      fc.string({ maxLength: 100 }).map((s) => ['GET', `/v1/admin/loadtests/${safe(s)}`, undefined] as const),
      fc
        .tuple(fc.string({ maxLength: 80 }), fc.constantFrom('stop', 'baseline'))
        .map(([s, action]) => ['POST', `/v1/admin/loadtests/${safe(s)}/${action}`, undefined] as const),
      fc
        .tuple(
          fc.constantFrom(smokeId, 'x'),
          fc.dictionary(
            fc.constantFrom('format', 'baseline', 'tolerance', 'x'),
            fc.oneof(fc.string(), fc.constantFrom('html', 'json', 'csv', '10', '-1', smokeId)),
          ),
        )
        .chain(([run, query]) =>
          fc
            .constantFrom('report', 'compare')
            .map(
              (what) =>
                [
                  'GET',
                  `/v1/admin/loadtests/${run}/${what}?${new URLSearchParams(query).toString()}`,
                  undefined,
                ] as const,
            ),
        ),
      fc
        .dictionary(fc.constantFrom('limit', 'x'), fc.string())
        .map((q) => ['GET', `/v1/admin/loadtests?${new URLSearchParams(q).toString()}`, undefined] as const),
    );
    await fc.assert(
      fc.asyncProperty(request, async ([method, path, payload]) => {
        const res = await fetch(t.url + path, {
          method,
          headers: {
            authorization: `Bearer ${admin}`,
            ...(payload !== undefined ? { 'content-type': 'application/json' } : {}),
          },
          body: payload,
        });
        const text = await res.text();
        expect(res.status, `${method} ${path} ${payload} → ${text}`).toBeLessThan(500);
        expect(res.status, `${method} ${path} ${payload}`).not.toBe(202);
        if (res.status >= 400) {
          const parsed = JSON.parse(text);
          expect(Object.keys(parsed)).toEqual(['error']);
          expect(parsed.error).toMatchObject({
            code: expect.stringMatching(/^[a-z_]+$/),
            message: expect.any(String),
            requestId: expect.any(String),
          });
        }
      }),
      { numRuns: 120 },
    );

    const stopping = await api('POST', `/v1/admin/loadtests/${id}/stop`, undefined, { token: admin });
    // 200 once it ended; 202 if its in-flight iterations were still finishing (a loaded machine).
    expect([200, 202]).toContain(stopping.status);
    expect(stopping.body.run).toMatchObject({ id, stopRequested: true });
    const stopped = await finished(id);
    expect(stopped.status).toBe('stopped');
    expect(stopped.durationMs).toBeLessThan(60_000);
    const report = await api('GET', `/v1/admin/loadtests/${id}/report`, undefined, { token: admin });
    expect(report.body.aborted).toBe('stopped by an admin');
    expect(report.body.metrics.iterations.values.count).toBeGreaterThan(0);
    // Stopping a finished run changes nothing.
    expect((await api('POST', `/v1/admin/loadtests/${id}/stop`, undefined, { token: admin })).body.run.status).toBe(
      'stopped',
    );
  });

  it('a shutdown stops the running run (partial report kept); runs, reports and baselines survive the restart', async () => {
    const started = await api(
      'POST',
      '/v1/admin/loadtests',
      { scenario: 'auth', rate: 2, duration: '2m' },
      { token: admin },
    );
    const id = started.body.run.id;
    await waitUntil(
      async () =>
        (await api('GET', `/v1/admin/loadtests/${id}`, undefined, { token: admin })).body.run.progress?.reqs > 0,
      15_000,
      'progress',
    );
    const closing = Date.now();
    await t.stop();
    // Not held up for the run's two minutes: it was stopped at once, its in-flight iterations given a few seconds.
    expect(Date.now() - closing).toBeLessThan(30_000);
    await start();
    const list = await api('GET', '/v1/admin/loadtests', undefined, { token: admin });
    expect(list.body.runs.map((r: any) => r.status)).toEqual(['stopped', 'stopped', 'passed']);
    expect((await api('GET', `/v1/admin/loadtests/${id}/report`, undefined, { token: admin })).body.aborted).toBe(
      'the server is shutting down',
    );
    expect(list.body.runs[2]).toMatchObject({ id: smokeId, baseline: true, local: false });
    const report = await api('GET', `/v1/admin/loadtests/${smokeId}/report`, undefined, { token: admin });
    expect(report.body.label).toBe('e2e smoke');
    expect(
      (
        await api('GET', `/v1/admin/loadtests/${smokeId}/compare?baseline=${smokeId}&tolerance=0`, undefined, {
          token: admin,
        })
      ).status,
    ).toBe(200);
  });
});
