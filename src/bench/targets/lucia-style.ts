import { createHash, randomBytes } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import Database from 'better-sqlite3';
import pg from 'pg';
import type { CapturedResponse } from '../types.js';
import { replayParts } from './replay.js';
import type { RunningTarget } from './types.js';

/** One session lookup: the session joined with its user, by the token's hash. */
interface LookupStore {
  find(id: string): Promise<{ expiresAt: number } | undefined> | { expiresAt: number } | undefined;
  insert(id: string, userId: string, expiresAt: number): Promise<void> | void;
  close(): Promise<void> | void;
}

const SELECT =
  'select s.id, s.expires_at, u.id as user_id, u.email from bench_session s join bench_user u on u.id = s.user_id where s.id = $1';

function sqliteStore(): LookupStore {
  const db = new Database(':memory:');
  db.exec(`create table bench_user (id text primary key, email text not null);
    create table bench_session (id text primary key, user_id text not null references bench_user(id), expires_at integer not null);
    insert into bench_user values ('u1', 'bench@example.test');`);
  const find = db.prepare<[string], { expires_at: number }>(SELECT.replace('$1', '?'));
  const insert = db.prepare('insert into bench_session values (?, ?, ?)');
  return {
    find: (id) => {
      const row = find.get(id);
      return row && { expiresAt: row.expires_at };
    },
    insert: (id, userId, expiresAt) => void insert.run(id, userId, expiresAt),
    close: () => void db.close(),
  };
}

async function postgresStore(url: string): Promise<LookupStore> {
  const pool = new pg.Pool({ connectionString: url, max: 10 });
  await pool.query(`create table if not exists bench_user (id text primary key, email text not null);
    create table if not exists bench_session (id text primary key, user_id text not null references bench_user(id), expires_at bigint not null);
    insert into bench_user values ('u1', 'bench@example.test') on conflict do nothing;`);
  return {
    // A named statement: each pooled connection prepares it once.
    find: async (id) => {
      const { rows } = await pool.query<{ expires_at: string }>({
        name: 'bench-find-session',
        text: SELECT,
        values: [id],
      });
      return rows[0] && { expiresAt: Number(rows[0].expires_at) };
    },
    insert: async (id, userId, expiresAt) => {
      await pool.query('insert into bench_session values ($1, $2, $3)', [id, userId, expiresAt]);
    },
    close: () => pool.end(),
  };
}

/**
 * The minimal peer Lucia's guide describes: a bearer token whose SHA-256 is the session id, one indexed query
 * joining session and user, then the response (Tessera's captured bytes, so only the lookup differs).
 */
export async function startLuciaStyle(options: {
  response: CapturedResponse;
  databaseUrl?: string;
}): Promise<RunningTarget> {
  const store = options.databaseUrl ? await postgresStore(options.databaseUrl) : sqliteStore();
  const { headers, body } = replayParts(options.response);
  const unauthorized = Buffer.from('{"error":{"code":"unauthenticated"}}');
  const server = http.createServer((req, res) => {
    const auth = req.headers.authorization;
    const token = auth?.startsWith('Bearer ') ? auth.slice(7) : '';
    const answer = (row: { expiresAt: number } | undefined): void => {
      if (row && row.expiresAt > Date.now()) {
        res.writeHead(options.response.status, headers);
        res.end(body);
      } else {
        res.writeHead(401, { 'content-type': 'application/json', 'content-length': unauthorized.length });
        res.end(unauthorized);
      }
    };
    const found = store.find(sha256(token));
    if (found instanceof Promise)
      found.then(answer, () => {
        res.writeHead(503).end();
      });
    else answer(found);
  });
  server.keepAliveTimeout = 60_000;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    info: { url: `http://127.0.0.1:${port}/v1/auth/session`, headers: {} },
    mint: async (count) => {
      const out: Array<Record<string, string>> = [];
      const expiresAt = Date.now() + 86_400_000;
      for (let i = 0; i < count; i += 1) {
        const token = randomBytes(20).toString('base64url');
        await store.insert(sha256(token), 'u1', expiresAt);
        out.push({ authorization: `Bearer ${token}` });
      }
      return out;
    },
    stop: async () => {
      await new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      });
      await store.close();
    },
  };
}

const sha256 = (token: string): string => createHash('sha256').update(token).digest('hex');
