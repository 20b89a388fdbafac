import pg from 'pg';

/** The `version` of a session as the database holds it: the truth the caches must converge to. */
export async function databaseSessionVersion(databaseUrl: string, sessionId: string): Promise<number> {
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    const result = await client.query<{ version: number }>('select version from sessions where id = $1', [sessionId]);
    return Number(result.rows[0].version);
  } finally {
    await client.end();
  }
}
