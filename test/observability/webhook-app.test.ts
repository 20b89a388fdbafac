import { afterAll, beforeAll, expect, it } from 'vitest';
import { apiClient, newSession, PASSWORD, startTestTessera, type TestTessera } from '../helpers/tessera.js';
import { eventually } from './harness.js';
import { startWebhookReceiver, type WebhookReceiver } from '../helpers/webhook-receiver.js';

const ADMIN = 'hook-admin@example.test';
type Hook = { kind: string; status?: string; alert?: { rule: string }; event?: { type: string; userId: string } };
let hooks: WebhookReceiver<Hook>;
let t: TestTessera;
const received = (): Hook[] => hooks.received.map((r) => r.body);

beforeAll(async () => {
  hooks = await startWebhookReceiver<Hook>();
  t = await startTestTessera({
    TESSERA_ADMIN_EMAIL: ADMIN,
    TESSERA_ADMIN_PASSWORD: PASSWORD,
    TESSERA_ALERT_WEBHOOK: hooks.url,
    ALERT_EVAL_INTERVAL: '1h',
  });
});
afterAll(async () => {
  await t?.stop();
  await hooks?.close();
});

it('TESSERA_ALERT_WEBHOOK receives a firing alert and a notable security event from the real app', async () => {
  const api = apiClient(t.url);
  const token = (await api('POST', '/v1/auth/login', { email: ADMIN, password: PASSWORD })).body.token as string;
  const user = await newSession(api);
  expect((await api('PUT', `/v1/admin/users/${user.userId}/roles`, { roles: ['admin'] }, { token })).status).toBe(200);
  const security = await eventually(() => received().find((m) => m.kind === 'security'));
  expect(security.event).toMatchObject({ type: 'roles_changed', userId: user.userId });

  await api(
    'PUT',
    '/v1/admin/alerts/rules',
    { rules: [{ name: 'AnyTraffic', expr: 'requests_per_sec', op: '>', threshold: 0, for: '0', severity: 'warning' }] },
    { token },
  );
  await t.runtime.observability.evaluator!.tick();
  const alert = await eventually(() => received().find((m) => m.kind === 'alert'));
  expect(alert).toMatchObject({ status: 'firing', alert: { rule: 'AnyTraffic' } });
  // Only notable events are sent: signups and logins are not.
  expect(
    received()
      .filter((m) => m.kind === 'security')
      .map((m) => m.event!.type),
  ).toEqual(['roles_changed']);
});
