import { Algorithm, hash, verify } from '@node-rs/argon2';

/** OWASP's argon2id minimum: 19 MiB memory, 2 iterations, 1 lane. Computed on libuv's thread pool, off the event loop. */
const OWASP_ARGON2ID = { algorithm: Algorithm.Argon2id, memoryCost: 19_456, timeCost: 2, parallelism: 1 } as const;

/** Bounds how many hashes run at once so a login burst queues here instead of starving the thread pool. */
class Semaphore {
  private active = 0;
  private readonly waiting: Array<() => void> = [];
  constructor(private readonly limit: number) {}

  async run<T>(task: () => Promise<T>): Promise<T> {
    if (this.active >= this.limit) await new Promise<void>((resolve) => this.waiting.push(resolve));
    this.active += 1;
    try {
      return await task();
    } finally {
      this.active -= 1;
      this.waiting.shift()?.();
    }
  }
}

export class PasswordHasher {
  private readonly slots: Semaphore;
  /** Verified against when the email is unknown, so that answer costs what a wrong password costs. */
  private readonly decoyHash: Promise<string>;

  constructor(concurrency: number) {
    this.slots = new Semaphore(concurrency);
    this.decoyHash = hash('decoy password for unknown emails', OWASP_ARGON2ID);
  }

  hash(password: string): Promise<string> {
    return this.slots.run(() => hash(password, OWASP_ARGON2ID));
  }

  /** Verifies against `passwordHash`, or against the decoy when there is no user (always false then). */
  async verify(passwordHash: string | undefined, password: string): Promise<boolean> {
    const target = passwordHash ?? (await this.decoyHash);
    const ok = await this.slots.run(() => verify(target, password).catch(() => false));
    return passwordHash !== undefined && ok;
  }
}
