/** Who is attempting a login; the protection layer keys its counters on these. */
export interface LoginAttempt {
  /** Normalised by `normalizeEmail` (./normalize.ts), once per login, before the protection layer sees it. */
  email: string;
  ip: string;
  /** Emails are unique per tenant; absent means the default tenant. */
  tenant?: string;
}

/**
 * What the login route asks of the protection layer (src/security implements it). `check` throws
 * TesseraError('locked_out') before any user lookup, so existing and unknown emails are treated alike.
 */
export interface LoginProtection {
  check(attempt: LoginAttempt): Promise<void>;
  recordFailure(attempt: LoginAttempt): Promise<void>;
  recordSuccess(attempt: LoginAttempt): Promise<void>;
}

export const NO_LOGIN_PROTECTION: LoginProtection = {
  check: async () => {},
  recordFailure: async () => {},
  recordSuccess: async () => {},
};
