import type { CapturedResponse, TargetInfo } from '../types.js';
import type { ClientAppSpec } from './client-app.js';

/** What a target process is asked to run. */
export type TargetSpec =
  | { kind: 'tessera'; env: Record<string, string> }
  | { kind: 'bare-http'; response: CapturedResponse }
  | { kind: 'bare-fastify'; response: CapturedResponse }
  | { kind: 'argon2-verify'; password: string }
  | { kind: 'express-session'; redisUrl?: string; keyPrefix: string; payload: unknown }
  | ({ kind: 'client-app' } & ClientAppSpec);

export interface RunningTarget {
  info: TargetInfo;
  stop(): Promise<void>;
}
