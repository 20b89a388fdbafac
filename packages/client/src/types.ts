/** What GET /v1/auth/session answers (SPEC §3): the session and its user. */
export interface TesseraSession {
  id: string;
  userId: string;
  createdAt: string;
  lastSeenAt: string;
  expiresAt: string;
  idleExpiresAt: string;
  data: Record<string, unknown>;
  version: number;
}

export interface TesseraUser {
  id: string;
  email: string;
  name: string | null;
  tenant: string;
  roles: string[];
  permissions: string[];
  createdAt: string;
}

export interface Validated {
  session: TesseraSession;
  user: TesseraUser;
}

export interface ClientOptions {
  /** Tessera's base URL, e.g. `http://tessera.internal:3000`. */
  url: string;
  /** A service key (`tsk_…`, from `tessera service-keys create NAME`): opens the revocation stream. */
  serviceKey: string;
  cache?: {
    /** Sessions kept in the app's memory (default 10 000). */
    maxEntries?: number;
    /** The longest a session is kept without asking Tessera again, ms (default 60 000). */
    ttl?: number;
    /** How long an unknown token is remembered as unknown, ms (default 2 000). */
    negativeTtl?: number;
  };
  /** How long a call to Tessera may take before `TesseraUnavailableError`, ms (default 2 000). */
  timeout?: number;
  /** The stream's silence after which the cache is no longer trusted, ms (default 1 000). */
  trustWindow?: number;
  /** How often the use of cached sessions is reported to Tessera, ms (default 1 000). */
  touchInterval?: number;
}

export interface ClientStats {
  hits: number;
  misses: number;
  /** Cached entries dropped because the stream said so (revoke or flush events). */
  revocations: number;
  streamConnected: boolean;
  /** True while hits are answered from memory (the stream is connected, caught up and heartbeating). */
  trusted: boolean;
  size: number;
  /** Raw tokens mapped to their cache key (so a hit skips the SHA-256); never more than `size`. */
  tokenKeys: number;
  flushes: number;
  /** Uses of cached sessions reported to Tessera (so idle timeouts stay true). */
  touches: number;
  /** Calls to Tessera that failed (unreachable, timeout, 5xx). */
  unavailable: number;
}
