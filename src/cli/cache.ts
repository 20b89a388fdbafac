import { readFile } from 'node:fs/promises';
import type { Command } from 'commander';

interface WarmIds {
  sessionIds?: string[];
  userIds?: string[];
}

/** A file of IDs: a JSON object `{sessionIds?, userIds?}`, or one ID per line (session IDs, or user IDs with --users). */
export function parseIdFile(text: string, asUsers: boolean): WarmIds {
  const trimmed = text.trim();
  if (trimmed.startsWith('{')) {
    const parsed = JSON.parse(trimmed) as WarmIds;
    const list = (v: unknown) => Array.isArray(v) && v.every((x) => typeof x === 'string');
    if ((parsed.sessionIds && !list(parsed.sessionIds)) || (parsed.userIds && !list(parsed.userIds)))
      throw new Error('sessionIds and userIds must be arrays of strings');
    return { sessionIds: parsed.sessionIds, userIds: parsed.userIds };
  }
  const ids = trimmed
    .split(/\r?\n/)
    .map((line) => line.trim())
    .filter((line) => line !== '' && !line.startsWith('#'));
  return asUsers ? { userIds: ids } : { sessionIds: ids };
}

/** IDs per request, so any file fits the server's body limit (and its per-request maximum of 1000 per list). */
const CHUNK = 500;

function* chunked(ids: WarmIds): Generator<WarmIds> {
  for (const key of ['sessionIds', 'userIds'] as const) {
    const list = ids[key] ?? [];
    for (let i = 0; i < list.length; i += CHUNK) yield { [key]: list.slice(i, i + CHUNK) };
  }
}

interface WarmAnswer {
  warmed: number;
  bytes: number;
  skipped: number;
}

async function post(url: URL, token: string, ids: WarmIds): Promise<WarmAnswer> {
  let response: Response;
  try {
    response = await fetch(url, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify(ids),
    });
  } catch (error) {
    console.error(`tessera: cannot reach ${url.origin}: ${(error as Error).message}`);
    process.exit(1);
  }
  const body = (await response.json().catch(() => ({}))) as {
    warm?: WarmAnswer;
    error?: { code: string; message: string };
  };
  if (!response.ok || !body.warm) {
    console.error(`tessera: ${response.status} ${body.error?.code ?? ''} ${body.error?.message ?? ''}`.trim());
    process.exit(1);
  }
  return body.warm;
}

function usage(message: string): never {
  console.error(`tessera: ${message}`);
  process.exit(2);
}

export function registerCache(program: Command): void {
  const cache = program.command('cache').description('Cache operations on a running server.');
  cache
    .command('warm')
    .description('Warm the given sessions (or every live session of the given users) on a running server.')
    .requiredOption('--ids <FILE>', 'one session ID per line (user IDs with --users), or JSON {sessionIds?, userIds?}')
    .option('--users', 'the lines of --ids are user IDs')
    .option('--url <URL>', 'base URL of the server (default http://127.0.0.1:3000)')
    .option('--token <T>', "an admin's session token (default: $TESSERA_TOKEN)")
    .action(async (options: { ids: string; users?: boolean; url?: string; token?: string }) => {
      let text: string;
      try {
        text = await readFile(options.ids, 'utf8');
      } catch (error) {
        return usage(`cannot read --ids ${options.ids}: ${(error as Error).message}`);
      }
      let ids: WarmIds;
      try {
        ids = parseIdFile(text, Boolean(options.users));
      } catch (error) {
        return usage(`--ids ${options.ids}: ${(error as Error).message}`);
      }
      const token = options.token ?? process.env.TESSERA_TOKEN;
      if (!token) return usage('an admin token is needed: --token T or TESSERA_TOKEN');
      const url = new URL('/v1/admin/cache/warm', options.url ?? 'http://127.0.0.1:3000');
      const total = { warmed: 0, bytes: 0, skipped: 0 };
      for (const chunk of chunked(ids)) {
        const warm = await post(url, token, chunk);
        total.warmed += warm.warmed;
        total.bytes += warm.bytes;
        total.skipped += warm.skipped;
      }
      const requested = (ids.sessionIds?.length ?? 0) + (ids.userIds?.length ?? 0);
      console.log(
        `warmed ${total.warmed} session(s) for ${requested} ID(s) (${total.bytes} bytes; ${total.skipped} skipped)`,
      );
    });
}
