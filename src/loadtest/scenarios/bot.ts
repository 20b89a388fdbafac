import type { Scenario } from './types.js';
import { api } from './paths.js';
import type { MetricsSet } from '../metrics/metrics-set.js';

const IPS = 4096;
const round = (v: number): number => Math.round(v * 10000) / 10000;

/**
 * Bots: many client IPs (X-Forwarded-For, so the target needs TRUST_PROXY) hammering login with
 * random credentials at a high rate. Reports the share the target refused (429/403).
 */
export const bot: Scenario = {
  name: 'bot',
  description: `login attempts from ${IPS} client IPs (X-Forwarded-For; needs TRUST_PROXY on the target)`,
  needsUsers: false,
  async iteration(vu) {
    const n = Math.floor(Math.random() * IPS);
    const ip = `10.${100 + (n >> 8)}.${n & 255}.${1 + (vu.id % 250)}`;
    const res = await vu.request('bot_login', 'POST', api(vu, '/v1/auth/login'), {
      json: { email: `bot-${n}@loadtest.local`, password: 'not-the-password' },
      headers: { 'x-forwarded-for': ip },
      expect: [401, 403, 429],
    });
    vu.count('bot_requests');
    if (res.status === 429 || res.status === 403) vu.count('bot_blocked');
  },
  results(totals: MetricsSet) {
    const sent = totals.counters.bot_requests ?? 0;
    return { bot_requests: sent, bot_blocked_share: sent ? round((totals.counters.bot_blocked ?? 0) / sent) : 0 };
  },
};
