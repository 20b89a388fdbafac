import type { CapturedResponse, TargetInfo } from '../types.js';
import type { ClientAppSpec } from './client-app.js';

/** What a target process is asked to run. */
export type TargetSpec =
  | { kind: 'tessera'; env: Record<string, string> }
  | { kind: 'bare-http'; response: CapturedResponse }
  | { kind: 'bare-fastify'; response: CapturedResponse }
  | { kind: 'argon2-verify'; password: string }
  | { kind: 'express-session'; redisUrl?: string; keyPrefix: string; payload: unknown }
  | { kind: 'lucia-style'; response: CapturedResponse; databaseUrl?: string }
  | ({ kind: 'client-app' } & ClientAppSpec);

/** What the driver knows once it has signed in: the account more sessions are opened for. */
export interface MintContext {
  email?: string;
}

export interface RunningTarget {
  info: TargetInfo;
  /**
   * Opens `count` more sessions inside the target (no HTTP, no password hashing) and returns the request headers
   * of each: how the load gets thousands of distinct sessions in seconds.
   */
  mint?(count: number, context: MintContext): Promise<Array<Record<string, string>>>;
  stop(): Promise<void>;
}
