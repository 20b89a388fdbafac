import { describe, expect, it } from 'vitest';
import { DependencyError, TesseraError } from '../../src/errors/index.js';
import { guardRepository, isConnectivityError, isUniqueViolation } from '../../src/store/db-errors.js';

const withCode = (code: string, message = 'boom') => Object.assign(new Error(message), { code });

describe('database error classification', () => {
  it.each([
    ['ECONNREFUSED', withCode('ECONNREFUSED')],
    ['ECONNRESET', withCode('ECONNRESET')],
    ['pg admin shutdown', withCode('57P01', 'terminating connection due to administrator command')],
    ['pg statement timeout', withCode('57014', 'canceling statement due to statement timeout')],
    ['pg connection exception class 08', withCode('08006')],
    ['pg terminated', new Error('Connection terminated unexpectedly')],
    ['pg connect timeout', new Error('Connection terminated due to connection timeout')],
    ['pool connect timeout', new Error('timeout exceeded when trying to connect')],
    ['sqlite busy', withCode('SQLITE_BUSY')],
    ['sqlite io error', withCode('SQLITE_IOERR_WRITE')],
    ['refused on every address', new AggregateError([withCode('ECONNREFUSED')], '')],
  ])('treats %s as a connectivity failure', (_name, error) => {
    expect(isConnectivityError(error)).toBe(true);
  });

  it.each([
    ['pg unique violation', withCode('23505', 'duplicate key value violates unique constraint')],
    ['pg syntax error', withCode('42601')],
    ['sqlite unique', withCode('SQLITE_CONSTRAINT_UNIQUE')],
    ['plain bug', new TypeError('x is undefined')],
    ['not an error', 'ECONNREFUSED'],
  ])('does not treat %s as a connectivity failure', (_name, error) => {
    expect(isConnectivityError(error)).toBe(false);
  });

  it('recognises unique violations on both dialects', () => {
    expect(isUniqueViolation(withCode('23505'))).toBe(true);
    expect(isUniqueViolation(withCode('SQLITE_CONSTRAINT_UNIQUE'))).toBe(true);
    expect(isUniqueViolation(withCode('SQLITE_CONSTRAINT_FOREIGNKEY'))).toBe(false);
  });

  it('guards every repository method once, passing other errors and results through', async () => {
    const refused = withCode('ECONNREFUSED');
    const repo = guardRepository({
      ok: async (n: number) => n + 1,
      down: async () => {
        throw refused;
      },
      taken: async () => {
        throw new TesseraError('email_taken');
      },
    });
    expect(await repo.ok(1)).toBe(2);
    await expect(repo.down()).rejects.toBeInstanceOf(DependencyError);
    await expect(repo.down()).rejects.toMatchObject({ cause: refused });
    await expect(repo.taken()).rejects.toMatchObject({ code: 'email_taken' });
  });
});
