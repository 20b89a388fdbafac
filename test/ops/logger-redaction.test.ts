import { describe, expect, it } from 'vitest';
import { createLogger } from '../../src/logger.js';

function capture() {
  const lines: string[] = [];
  const logger = createLogger(
    { logLevel: 'debug' },
    {
      write: (line: string) => {
        lines.push(line);
      },
    },
  );
  return { logger, text: () => lines.join('') };
}

describe('createLogger redaction', () => {
  it('censors authorization, cookies, set-cookie, passwords and tokens wherever callers put them', () => {
    const { logger, text } = capture();
    const token = 'tss_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA';
    logger.info(
      { req: { headers: { authorization: `Bearer ${token}`, cookie: `tessera_session=${token}` } } },
      'request',
    );
    logger.info({ res: { headers: { 'set-cookie': `tessera_session=${token}; HttpOnly` } } }, 'response');
    logger.info({ headers: { authorization: `Bearer ${token}`, cookie: `tessera_session=${token}` } }, 'headers');
    logger.info({ body: { email: 'a@b.test', password: 'hunter2hunter2', token } }, 'body');
    logger.info(
      { password: 'hunter2hunter2', token, input: { currentPassword: 'old-secret-pw', newPassword: 'new-secret-pw' } },
      'top level',
    );
    const out = text();
    for (const secret of [token, 'hunter2hunter2', 'old-secret-pw', 'new-secret-pw']) expect(out).not.toContain(secret);
    expect(out.match(/\[redacted\]/g)?.length).toBeGreaterThanOrEqual(10);
    expect(out).toContain('a@b.test'); // only secrets go
  });
});
