import { sql, type Kysely } from 'kysely';
import { normalizeEmail } from '../../auth/normalize.js';
import { ok, warn, type CheckResult } from './types.js';

interface UserRow {
  id: string;
  tenant: string;
  email: string;
}

const SHOWN = 5;

/**
 * Emails stored before identities were normalised (trim and lower-case only) that now name one address twice (NFC and
 * NFD spellings, fullwidth letters, `ß` and `ss`…) or that are now refused (controls, zero-width, bidi characters,
 * malformed UTF-16). Only non-ASCII emails can be either: ASCII ones were already trimmed and lower-cased. Reported,
 * never merged: which account keeps the address is the operator's call.
 */
export async function checkEmails<DB>(db: Kysely<DB>, dialect: 'postgres' | 'sqlite'): Promise<CheckResult> {
  const { rows } =
    dialect === 'postgres'
      ? await sql<UserRow>`select id, tenant, email from users where email ~ '[^ -~]'`.execute(db)
      : await sql<UserRow>`select id, tenant, email from users where email glob '*[^ -~]*'`.execute(db);
  const byAddress = new Map<string, UserRow[]>();
  const refused: UserRow[] = [];
  for (const row of rows) {
    let address: string;
    try {
      address = normalizeEmail(row.email);
    } catch {
      refused.push(row);
      continue;
    }
    const key = `${row.tenant}\n${address}`;
    const group = byAddress.get(key);
    if (group) group.push(row);
    else byAddress.set(key, [row]);
  }
  // A non-ASCII email may normalise onto an ASCII one (fullwidth letters): that account is not among the rows.
  for (const [key, group] of byAddress) {
    const [tenant, address] = key.split('\n') as [string, string];
    if (group.some((row) => row.email === address)) continue;
    const { rows: owner } =
      await sql<UserRow>`select id, tenant, email from users where tenant = ${tenant} and email = ${address}`.execute(
        db,
      );
    group.push(...owner);
  }
  const collisions = [...byAddress.entries()].filter(([, group]) => group.length > 1);
  if (collisions.length === 0 && refused.length === 0)
    return ok('emails', `${rows.length} non-ASCII email(s) checked: no two accounts share a normalised address`);
  const problems: string[] = [];
  if (collisions.length > 0) {
    const shown = collisions
      .slice(0, SHOWN)
      .map(([key, group]) => `${key.replace('\n', '/')} ← users ${group.map((row) => row.id).join(', ')}`);
    problems.push(
      `${collisions.length} address(es) held by more than one account once normalised (NFKC, case-folded): ${shown.join('; ')}${collisions.length > SHOWN ? '; …' : ''}`,
    );
  }
  if (refused.length > 0) {
    const shown = refused.slice(0, SHOWN).map((row) => row.id);
    problems.push(
      `${refused.length} account(s) whose email is now refused (control, zero-width, bidi or malformed characters), so they cannot log in: users ${shown.join(', ')}${refused.length > SHOWN ? ', …' : ''}`,
    );
  }
  return warn(
    'emails',
    problems.join('. '),
    'Tessera never merges accounts: decide which account keeps each address and change or delete the others (until then a login goes to the account stored under the normalised form)',
  );
}
