import { randomUUID } from 'node:crypto';
import { loadConfig } from '../../config/index.js';
import { generateToken, hashToken } from '../../sessions/token.js';
import { createStore } from '../../store/create-store.js';

const MINUTE = 60_000;
const PARALLEL = 50;

/**
 * `count` active sessions (one user each, seen within the last minute) written straight into the database, as
 * an instance that has since restarted issued them. Returns their tokens, for the replay.
 */
export async function seedActiveSessions(databaseUrl: string, count: number): Promise<string[]> {
  const store = await createStore(loadConfig({ DATABASE_URL: databaseUrl, DATABASE_POOL_MAX: String(PARALLEL) }));
  try {
    await store.migrate();
    const tokens: string[] = [];
    for (let start = 0; start < count; start += PARALLEL) {
      const batch = Array.from({ length: Math.min(PARALLEL, count - start) }, () => generateToken());
      await Promise.all(
        batch.map(async (token) => {
          const now = Date.now();
          const user = await store.users.create(
            {
              tenant: 'default',
              email: `warm-${randomUUID()}@bench.test`,
              name: null,
              passwordHash: 'not-a-login',
              roles: ['user'],
            },
            now,
          );
          await store.sessions.insert({
            id: randomUUID(),
            userId: user.id,
            tenant: 'default',
            tokenHash: hashToken(token),
            createdAt: now - 30 * MINUTE,
            lastSeenAt: now - Math.floor(Math.random() * MINUTE),
            expiresAt: now + 24 * 60 * MINUTE,
            idleExpiresAt: now + 60 * MINUTE,
            revokedAt: null,
            revokeReason: null,
            ip: null,
            userAgent: null,
            data: {},
            version: 1,
            revision: 1,
          });
        }),
      );
      tokens.push(...batch);
    }
    return tokens;
  } finally {
    await store.close();
  }
}
