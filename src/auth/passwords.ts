import { Algorithm, hash, verify } from '@node-rs/argon2';
import { HashQueue, type HashQueueOptions } from './hash-queue.js';

/** OWASP's argon2id minimum: 19 MiB memory, 2 iterations, 1 lane. Computed on libuv's thread pool, off the event loop. */
export const OWASP_ARGON2ID = {
  algorithm: Algorithm.Argon2id,
  memoryCost: 19_456,
  timeCost: 2,
  parallelism: 1,
} as const;

export class PasswordHasher {
  /** Every hash and verify waits here: a burst queues (boundedly) instead of starving the thread pool. */
  readonly queue: HashQueue;
  /** Verified against when the email is unknown, so that answer costs what a wrong password costs. */
  private readonly decoyHash: Promise<string>;

  /** A number: that many hashes at once, never shed (tools and tests); the server passes the configured bounds. */
  constructor(options: HashQueueOptions | number) {
    this.queue = new HashQueue(
      typeof options === 'number'
        ? { concurrency: options, maxQueued: Number.POSITIVE_INFINITY, maxWaitMs: Number.POSITIVE_INFINITY }
        : options,
    );
    this.decoyHash = hash('decoy password for unknown emails', OWASP_ARGON2ID);
  }

  /** Throws OverloadedError (503 `unavailable`) when a hash asked for now would be shed; queues nothing. */
  admitOrThrow(): void {
    this.queue.admitOrThrow();
  }

  /** Throws OverloadedError (503 `unavailable`) when the queue is full. */
  hash(password: string): Promise<string> {
    return this.queue.run(() => hash(password, OWASP_ARGON2ID));
  }

  /**
   * Verifies against `passwordHash`, or against the decoy when there is no user (always false then): both wait in
   * the same queue, so shedding says nothing about whether the account exists.
   */
  async verify(passwordHash: string | undefined, password: string): Promise<boolean> {
    const target = passwordHash ?? (await this.decoyHash);
    const ok = await this.queue.run(() => verify(target, password).catch(() => false));
    return passwordHash !== undefined && ok;
  }
}
