import type { Scenario } from './types.js';
import type { Vu } from '../engine/vu.js';
import { api, bearer, login } from './paths.js';

export const MIX_OPERATIONS = ['read', 'write', 'delete', 'invalidate'] as const;
export type MixOperation = (typeof MIX_OPERATIONS)[number];
export type Mix = Partial<Record<MixOperation, number>>;

/** `read=70,write=20,invalidate=10` → weights; problems land in `errors`. */
export function parseMix(text: string, errors: string[]): Mix | undefined {
  const mix: Mix = {};
  for (const part of text.split(',')) {
    const [key, value] = part.split('=').map((s) => s.trim());
    const n = Number(value);
    if (!(MIX_OPERATIONS as readonly string[]).includes(key) || value === undefined || !/^\d+(\.\d+)?$/.test(value)) {
      errors.push(`--mix "${text}": "${part}" is not OPERATION=WEIGHT (operations: ${MIX_OPERATIONS.join(', ')})`);
      return undefined;
    }
    mix[key as MixOperation] = n;
  }
  if (Object.values(mix).reduce((a, b) => a + b, 0) <= 0) {
    errors.push(`--mix "${text}": the weights add up to 0`);
    return undefined;
  }
  return mix;
}

function pick(mix: Mix): MixOperation {
  const total = Object.values(mix).reduce((a, b) => a + b, 0);
  let r = Math.random() * total;
  for (const op of MIX_OPERATIONS) {
    r -= mix[op] ?? 0;
    if (r < 0) return op;
  }
  return 'read';
}

async function session(vu: Vu): Promise<{ token: string; id: string } | undefined> {
  if (vu.vars.token) return { token: vu.vars.token as string, id: vu.vars.sessionId as string };
  const token = await login(vu);
  if (!token) return undefined;
  const me = await vu.request('read', 'GET', api(vu, '/v1/auth/session'), { headers: bearer(token) });
  const body = me.json<{ session?: { id?: string; version?: number } }>();
  vu.vars.token = token;
  vu.vars.sessionId = body?.session?.id;
  vu.vars.version = body?.session?.version ?? 0;
  return { token, id: body?.session?.id ?? '' };
}

/**
 * --mix read=70,write=20,delete=0,invalidate=10: each iteration is one operation on the VU's kept session, drawn
 * by weight. read validates it; write sets its data (compare-and-set on the version); delete removes it
 * (DELETE /v1/auth/sessions/:id) and invalidate ends every session of the user (logout-all): the next
 * operation logs in again. Operations are counted as mix_<operation>.
 */
export const operationMix: Scenario = {
  name: 'mix',
  description: 'one operation per iteration on a kept session, by --mix weights (read, write, delete, invalidate)',
  needsUsers: true,
  async iteration(vu) {
    const mix = vu.shared.plan.mix ?? { read: 1 };
    const s = await session(vu);
    if (!s) return;
    const op = pick(mix);
    vu.count(`mix_${op}`);
    const auth = bearer(s.token);
    if (op === 'read') {
      const res = await vu.request('read', 'GET', api(vu, '/v1/auth/session'), { headers: auth });
      vu.check('read is 200', res.status === 200);
    } else if (op === 'write') {
      const res = await vu.request('write', 'PATCH', api(vu, '/v1/auth/session/data'), {
        headers: auth,
        json: { data: { n: vu.iteration }, version: vu.vars.version as number },
        expect: [200, 409],
      });
      const version = res.json<{ version?: number }>()?.version;
      if (typeof version === 'number') vu.vars.version = version;
      vu.check('write is 200 or 409', res.status === 200 || res.status === 409);
    } else {
      const res =
        op === 'delete'
          ? await vu.request('delete', 'DELETE', api(vu, `/v1/auth/sessions/${encodeURIComponent(s.id)}`), {
              headers: auth,
            })
          : await vu.request('invalidate', 'POST', api(vu, '/v1/auth/logout-all'), { headers: auth });
      vu.check(`${op} is 204`, res.status === 204);
      vu.vars.token = undefined;
      vu.cookies.clear();
    }
  },
  results(totals) {
    return Object.fromEntries(MIX_OPERATIONS.map((op) => [`mix_${op}`, totals.counters[`mix_${op}`] ?? 0]));
  },
};
