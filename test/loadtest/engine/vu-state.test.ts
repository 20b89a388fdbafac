import { describe, it, expect } from 'vitest';
import { CookieJar } from '../../../src/loadtest/engine/cookies.js';
import { cacheTier } from '../../../src/loadtest/engine/response.js';

describe('per-VU state', () => {
  it('keeps cookies from Set-Cookie and forgets expired ones', () => {
    const jar = new CookieJar();
    jar.store(['tessera_session=tss_abc; HttpOnly; SameSite=Lax; Path=/', 'theme=dark']);
    expect(jar.header()).toBe('tessera_session=tss_abc; theme=dark');
    jar.store('tessera_session=; Max-Age=0; Path=/');
    jar.store('theme=x; Expires=Thu, 01 Jan 1970 00:00:00 GMT');
    expect(jar.header()).toBeUndefined();
    jar.store('broken');
    expect(jar.size).toBe(0);
  });

  it('reads the cache tier from Server-Timing', () => {
    expect(cacheTier('total;dur=1.2, cache;desc="L1", db;dur=0')).toBe('L1');
    expect(cacheTier('cache;dur=0.1;desc=L2')).toBe('L2');
    expect(cacheTier(['total;dur=3', 'cache;desc="DB"'])).toBe('DB');
    expect(cacheTier('total;dur=1')).toBeUndefined();
    expect(cacheTier(undefined)).toBeUndefined();
  });
});
