import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PasswordHasher } from '../../src/auth/passwords.js';
import { apiClient, PASSWORD, startTestTessera, type TestTessera } from '../helpers/tessera.js';

let counter = 0;
const unique = () => `${process.pid}x${Date.now()}x${counter++}`;

describe('identities are normalised: one person, one account', () => {
  let t: TestTessera;
  let api: ReturnType<typeof apiClient>;

  beforeAll(async () => {
    t = await startTestTessera();
    api = apiClient(t.url);
  });
  afterAll(async () => t?.stop());

  const signup = (email: string, password = PASSWORD) => api('POST', '/v1/auth/signup', { email, password });
  const login = (email: string, password = PASSWORD) => api('POST', '/v1/auth/login', { email, password });

  it('the NFC and NFD spellings of one email are one account', async () => {
    await fc.assert(
      fc.asyncProperty(fc.constantFrom('josé', 'zoë', 'ñandú', 'Åsa', 'Ðorđe'), async (name) => {
        const email = `${name}.${unique()}@exämple.test`;
        const first = await signup(email.normalize('NFC'));
        expect(first.status).toBe(201);
        const second = await signup(email.normalize('NFD'));
        expect(second.status).toBe(409);
        expect(second.body.error.code).toBe('email_taken');
        const viaNfd = await login(email.normalize('NFD'));
        expect(viaNfd.status).toBe(200);
        expect(viaNfd.body.user.id).toBe(first.body.user.id);
      }),
      { numRuns: 5 },
    );
  });

  it('fullwidth letters are the same account as their ASCII letters', async () => {
    const id = unique();
    const fullwidth = [...`ada${id}`].map((c) => String.fromCharCode(c.charCodeAt(0) + 0xfee0)).join('');
    const first = await signup(`Ada${id}@example.test`);
    expect(first.status).toBe(201);
    expect(first.body.user.email).toBe(`ada${id}@example.test`);
    expect((await signup(`${fullwidth}@example.test`)).status).toBe(409);
    expect((await login(`${fullwidth}@ＥＸＡＭＰＬＥ.test`)).body.user?.id).toBe(first.body.user.id);
  });

  it('zero-width, bidi and control characters and lone surrogates are refused with 400 naming email', async () => {
    for (const bad of ['\u200b', '\u200d', '\u202e', '\u2066', '\u0000', '\u001b', '\ufeff', '\ud800', '\udfff']) {
      for (const send of [signup, login]) {
        const res = await send(`ev${bad}e.${unique()}@example.test`);
        expect(res.status, JSON.stringify(bad)).toBe(400);
        expect(res.body.error.code).toBe('invalid_request');
        expect(res.body.error.details).toEqual([expect.objectContaining({ field: 'email' })]);
      }
    }
  });

  it('a password with a lone surrogate is refused, so \\ud800 and \\udfff are not one password', async () => {
    const email = `surrogate.${unique()}@example.test`;
    const res = await signup(email, 'password-\ud800');
    expect(res.status).toBe(400);
    expect(res.body.error.details).toEqual([expect.objectContaining({ field: 'password' })]);
    expect((await signup(email, 'password-ok')).status).toBe(201);
    const wrong = await login(email, 'password-\udfff');
    expect(wrong.status).toBe(400);
    expect(wrong.body.error.details).toEqual([expect.objectContaining({ field: 'password' })]);
  });

  it('a password is NFKC: composed, decomposed and fullwidth forms open the account', async () => {
    const email = `nfkc.${unique()}@example.test`;
    expect((await signup(email, 'café-crème-１２３')).status).toBe(201);
    expect((await login(email, 'café-crème-123'.normalize('NFD'))).status).toBe(200);
    expect((await login(email, 'café-crème-123'.normalize('NFC'))).status).toBe(200);
  });

  it('an account whose password was hashed before normalisation logs in with it, and is re-hashed', async () => {
    const raw = 'ﬁne ｐassword'; // NFKC: "fine password"
    const hasher = new PasswordHasher(1);
    const user = await t.runtime.store.users.create(
      {
        tenant: 'default',
        email: `legacy.${unique()}@example.test`,
        name: null,
        passwordHash: await hasher.hash(raw),
        roles: ['user'],
      },
      Date.now(),
    );
    const ok = await login(user.email, raw);
    expect(ok.status).toBe(200);
    const after = await t.runtime.store.users.findById(user.id);
    expect(after!.passwordHash).not.toBe(user.passwordHash);
    expect(await hasher.verify(after!.passwordHash, 'fine password')).toBe(true);
    expect((await login(user.email, 'fine password')).status).toBe(200);
  });

  it('an account stored by an earlier version under its un-normalised email still logs in', async () => {
    const stored = `mu\u0308ller.${unique()}@example.test`; // NFD, as the old rule (trim, lower-case) kept it
    const hasher = new PasswordHasher(1);
    const user = await t.runtime.store.users.create(
      { tenant: 'default', email: stored, name: null, passwordHash: await hasher.hash(PASSWORD), roles: ['user'] },
      Date.now(),
    );
    const res = await login(stored);
    expect(res.status).toBe(200);
    expect(res.body.user.id).toBe(user.id);
    // and nobody can open a second account over it with the same spelling
    expect((await signup(stored)).status).toBe(409);
  });
});
