import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startTesseraFixture, type Fixture } from '../fixtures/tessera-fixture.js';
import { runQuiet } from '../helpers.js';
import { buildRunConfig } from '../../../src/loadtest/options.js';
import { readJsonPath } from '../../../src/loadtest/scenarios/json-path.js';

const dir = mkdtempSync(join(tmpdir(), 'lt-custom-'));

const YAML = `
name: login-check
users: true
variables:
  expected: lt-user
thresholds:
  http_req_duration{step:login}: ["p(95)<2000"]
steps:
  - name: login
    method: POST
    url: /v1/auth/login
    json: { email: "{{user.email}}", password: "{{user.password}}" }
    capture: { token: "$.token", uid: "$.user.id" }
    check: { status: 200, body: { "$.user.email": "{{user.email}}" }, contains: "{{expected}}" }
  - name: check
    url: /v1/auth/session
    headers: { authorization: "Bearer {{token}}" }
    check: { status: [200], body: { "$.user.id": "{{uid}}" } }
    think: 10ms
`;

describe('custom scenarios', () => {
  let fx: Fixture;
  beforeAll(async () => {
    fx = await startTesseraFixture();
  });
  afterAll(() => fx.close());

  it('YAML steps: captures via JSON path feed later steps; checks on status and body', async () => {
    const file = join(dir, 'flow.yaml');
    writeFileSync(file, YAML);
    const report = await runQuiet({ file, target: fx.url, vus: '2', duration: '1s', users: '2' });
    expect(report.scenario.name).toBe('login-check');
    expect(report.steps.check.statuses['200']).toBe(report.steps.check.reqs);
    expect(report.metrics.checks.values.fails).toBe(0);
    expect(report.metrics.checks.values.passes).toBeGreaterThan(10);
    expect(Object.keys(report.thresholds)).toEqual(['http_req_duration{step:login}: p(95)<2000']);
  });

  it('JSON steps: a failing check is counted, not thrown', async () => {
    const file = join(dir, 'flow.json');
    writeFileSync(file, JSON.stringify({ steps: [{ name: 'nope', url: '/v1/auth/session', check: { status: 200 } }] }));
    const report = await runQuiet({ file, target: fx.url, vus: '1', duration: '500ms' });
    expect(report.metrics.checks.values.rate).toBe(0);
    expect(report.steps.nope.errors['401 unauthenticated']).toBeGreaterThan(0);
  });

  it('a bad scenario file gives every problem, one line each', async () => {
    const file = join(dir, 'bad.yaml');
    writeFileSync(
      file,
      'steps:\n  - method: FETCH\n    check: { status: 999 }\n    capture: { t: "token" }\n  - 5\nextra: 1\n',
    );
    const errors: string[] = [];
    expect(await buildRunConfig({ file, target: fx.url }, errors)).toBeUndefined();
    expect(errors.join('\n')).toMatch(/unknown key "extra"/);
    expect(errors.join('\n')).toMatch(/method "FETCH"/);
    expect(errors.join('\n')).toMatch(/url is required/);
    expect(errors.join('\n')).toMatch(/check.status/);
    expect(errors.join('\n')).toMatch(/capture.t/);
    expect(errors.join('\n')).toMatch(/steps\[1\]: must be an object/);
    const notYaml = join(dir, 'broken.yaml');
    writeFileSync(notYaml, 'steps: [\n');
    const more: string[] = [];
    await buildRunConfig({ file: notYaml }, more);
    expect(more[0]).toMatch(/not valid YAML/);
  });

  it('JavaScript module: a default-exported function is one iteration', async () => {
    const file = join(dir, 'iteration.mjs');
    writeFileSync(
      file,
      `export default async function (vu) {
      const res = await vu.request('custom_login', 'POST', '/v1/auth/login', { json: { email: vu.user.email, password: vu.user.password } });
      vu.check('got a token', typeof res.json()?.token === 'string');
    }`,
    );
    const report = await runQuiet({ file, target: fx.url, vus: '1', duration: '500ms', users: '1' });
    expect(report.steps.custom_login.reqs).toBeGreaterThan(0);
    expect(report.metrics.checks.values.rate).toBe(1);
  });

  it('TypeScript module: a default-exported object with steps', async () => {
    const file = join(dir, 'steps.ts');
    writeFileSync(
      file,
      `const steps: Array<Record<string, unknown>> = [{ name: 'ts_session', url: '/v1/auth/session', check: { status: 401 } }];
export default { name: 'ts-steps', steps };`,
    );
    const report = await runQuiet({ file, target: fx.url, vus: '1', duration: '500ms' });
    expect(report.scenario.name).toBe('ts-steps');
    expect(report.steps.ts_session.reqs).toBeGreaterThan(0);
    expect(report.metrics.http_req_failed.values.rate).toBe(0);
  });

  it('reads JSON paths', () => {
    expect(readJsonPath({ a: { b: [{ c: 1 }] } }, '$.a.b[0].c')).toBe(1);
    expect(readJsonPath({ 'x-y': 2 }, '$["x-y"]')).toBe(2);
    expect(readJsonPath({ a: 1 }, '$.a.b.c')).toBeUndefined();
    expect(readJsonPath({ a: 1 }, 'a')).toBeUndefined();
  });
});
