import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { apiClient, newSession, PASSWORD, startTestTessera, type TestTessera } from '../helpers/tessera.js';
import { eventually } from './harness.js';

const ADMIN = 'hook-admin@example.test';
const received: Array<{ kind: string; status?: string; alert?: { rule: string }; event?: { type: string; userId: string } }> = [];
const server = createServer((req, res) => {
  let body = '';
  req.on('data', (c) => (body += c));
  req.on('end', () => {
    received.push(JSON.parse(body));
    res.writeHead(204).end();
  });
});
let t: TestTessera;

beforeAll(async () => {
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`;
  t = await startTestTessera({ TESSERA_ADMIN_EMAIL: ADMIN, TESSERA_ADMIN_PASSWORD: PASSWORD, TESSERA_ALERT_WEBHOOK: url, ALERT_EVAL_INTERVAL: '1h' });
});
afterAll(async () => {
  await t?.stop();
  server.close();
});

it('TESSERA_ALERT_WEBHOOK receives a firing alert and a notable security event from the real app', async () => {
  const api = apiClient(t.url);
  const token = (await api('POST', '/v1/auth/login', { email: ADMIN, password: PASSWORD })).body.token as string;
  const user = await newSession(api);
  expect((await api('PUT', `/v1/admin/users/${user.userId}/roles`, { roles: ['admin'] }, { token })).status).toBe(200);
  const security = await eventually(() => received.find((m) => m.kind === 'security'));
  expect(security.event).toMatchObject({ type: 'roles_changed', userId: user.userId });

  await api('PUT', '/v1/admin/alerts/rules', { rules: [{ name: 'AnyTraffic', expr: 'requests_per_sec', op: '>', threshold: 0, for: '0', severity: 'warning' }] }, { token });
  await t.runtime.observability.evaluator!.tick();
  const alert = await eventually(() => received.find((m) => m.kind === 'alert'));
  expect(alert).toMatchObject({ status: 'firing', alert: { rule: 'AnyTraffic' } });
  // Only notable events are sent: signups and logins are not.
  expect(received.filter((m) => m.kind === 'security').map((m) => m.event!.type)).toEqual(['roles_changed']);
});
