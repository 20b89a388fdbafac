import type { LogEvent } from 'kysely';
import { countQuery } from './trace-context.js';

/** Hears every query the store runs: its statement name (never its parameters), round trip and whether it failed. */
export type QueryListener = (statement: string, ms: number, failed: boolean) => void;

/** The store's one query hook: Kysely's `log`, which also adds each query to the current request's trace. */
export interface QueryMonitor {
  readonly log: (event: LogEvent) => void;
  onQuery(listener: QueryListener): void;
}

export function createQueryMonitor(): QueryMonitor {
  const listeners: QueryListener[] = [];
  return {
    log(event) {
      countQuery(event);
      if (listeners.length === 0) return;
      const name = statementName(event.query.sql);
      for (const listener of listeners) listener(name, event.queryDurationMillis, event.level === 'error');
    },
    onQuery(listener) {
      listeners.push(listener);
    },
  };
}

const names = new Map<string, string>();
const VERB = /^\s*(select|insert|update|delete|with|begin|commit|rollback|create|alter|drop|pragma)\b/i;
const TABLE: Record<string, RegExp> = {
  select: /\bfrom\s+"?(\w+)"?/i,
  delete: /\bfrom\s+"?(\w+)"?/i,
  insert: /\binto\s+"?(\w+)"?/i,
  update: /^\s*update\s+"?(\w+)"?/i,
};

/**
 * A bounded, parameter-free name for a statement: `<table>.<verb>` (`sessions.select`, `audit_events.insert`), the
 * verb alone when no table is found, `other` for anything else. Kysely's SQL text is the same for every run of one
 * query shape, so names are computed once per shape.
 */
export function statementName(sql: string): string {
  const known = names.get(sql);
  if (known !== undefined) return known;
  const name = nameOf(sql);
  if (names.size < 2000) names.set(sql, name);
  return name;
}

function nameOf(sql: string): string {
  let verb = VERB.exec(sql)?.[1]?.toLowerCase();
  if (verb === undefined) return 'other';
  let body = sql;
  if (verb === 'with') {
    // `with x as (…) delete from …`: the statement after the last CTE.
    let last: RegExpExecArray | undefined;
    for (const m of sql.matchAll(/\)\s*(select|insert|update|delete)\b/gi)) last = m;
    if (last === undefined) return 'with';
    verb = last[1].toLowerCase();
    body = sql.slice(last.index + last[0].length - verb.length);
  }
  const table = TABLE[verb]?.exec(body)?.[1];
  return table ? `${table.toLowerCase()}.${verb}` : verb;
}
