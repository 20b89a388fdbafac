import { TesseraError } from '../errors/index.js';
import type { AuditLog } from '../audit/audit-log.js';
import type { Store, UserRecord } from '../store/types.js';
import { toUserView } from './user-view.js';
import type { ClientInfo, CurrentSession, UserSessions } from './user-sessions.js';
import type { PasswordHasher } from './passwords.js';
import type { PermissionResolver } from './permissions.js';
import type { LoginProtection } from './login-protection.js';
import { legacyNormalizeEmail, normalizeEmail, normalizePassword, normalizeTenant } from './normalize.js';

export interface SignupInput {
  email: string;
  password: string;
  name?: string;
  tenant?: string;
  roles?: string[];
}

const BULK_CONCURRENCY = 4;

/** Accounts: signup, login, password change, roles. Sessions themselves belong to the SessionManager. */
export class UserService<Entry extends CurrentSession> {
  constructor(
    private readonly store: Store,
    private readonly passwords: PasswordHasher,
    private readonly permissions: PermissionResolver,
    private readonly sessions: UserSessions<Entry>,
    private readonly audit: AuditLog,
    public protection: LoginProtection,
  ) {}

  async view(user: UserRecord) {
    return toUserView(user, await this.permissions.forRoles(user.roles));
  }

  async signup(input: SignupInput, client: ClientInfo) {
    const email = normalizeEmail(input.email);
    const password = normalizePassword(input.password);
    const tenant = normalizeTenant(input.tenant);
    this.passwords.admitOrThrow();
    // An account stored by an earlier version under the old rule (trim, lower-case) owns this address too.
    const legacy = legacyNormalizeEmail(input.email);
    if (legacy !== email && (await this.store.users.findByEmail(tenant, legacy))) throw new TesseraError('email_taken');
    const passwordHash = await this.passwords.hash(password);
    const user = await this.store.users.create(
      {
        tenant,
        email,
        name: input.name?.trim() || null,
        passwordHash,
        roles: input.roles ?? ['user'],
      },
      Date.now(),
    );
    await this.audit.record('signup', {
      tenant: user.tenant,
      userId: user.id,
      ip: client.ip,
      userAgent: client.userAgent,
    });
    return this.view(user);
  }

  /**
   * Creates many accounts for an admin (seeding a load test, importing users): not subject to the signup limits.
   * An email already taken counts as existing; a few hashes run at once so one request does not hog the hasher.
   */
  async createMany(inputs: SignupInput[], client: ClientInfo): Promise<{ created: number; existing: number }> {
    // Every entry is checked before any is created: a bad one refuses the whole request.
    for (const input of inputs) {
      normalizeEmail(input.email);
      normalizePassword(input.password);
      normalizeTenant(input.tenant);
    }
    const result = { created: 0, existing: 0 };
    let next = 0;
    const worker = async (): Promise<void> => {
      while (next < inputs.length) {
        const input = inputs[next++];
        try {
          await this.signup(input, client);
          result.created++;
        } catch (error) {
          if (!(error instanceof TesseraError && error.code === 'email_taken')) throw error;
          result.existing++;
        }
      }
    };
    await Promise.all(Array.from({ length: Math.min(BULK_CONCURRENCY, inputs.length) }, worker));
    return result;
  }

  /** Verifies credentials in constant-ish time whatever the email, then opens a session. */
  async login(input: { email: string; password: string; tenant?: string }, client: ClientInfo) {
    const attempt = { email: normalizeEmail(input.email), tenant: normalizeTenant(input.tenant), ip: client.ip };
    const password = normalizePassword(input.password);
    // A flood is shed here, before the database lookup and the brute-force checks, not only at the hash.
    this.passwords.admitOrThrow();
    await this.protection.check(attempt);
    const user = await this.findForLogin(attempt.tenant, attempt.email, input.email);
    const ok = await this.verifyPassword(user, password, input.password);
    if (!user || !ok) {
      await this.protection.recordFailure(attempt);
      await this.audit.record('login_failure', {
        tenant: attempt.tenant,
        userId: user?.id,
        ip: client.ip,
        userAgent: client.userAgent,
        details: { reason: 'invalid_credentials' },
      });
      throw new TesseraError('invalid_credentials');
    }
    await this.protection.recordSuccess(attempt);
    const opened = await this.sessions.open(user, await this.view(user), client);
    await this.audit.record('login_success', {
      tenant: user.tenant,
      userId: user.id,
      sessionId: opened.entry.session.id,
      ip: client.ip,
      userAgent: client.userAgent,
    });
    return opened;
  }

  /**
   * The account of a normalised email; else, for an email whose normalised form differs from the old rule's (trim,
   * lower-case), the account an earlier version stored under that rule. `tessera doctor` lists such accounts.
   */
  private async findForLogin(tenant: string, email: string, raw: string): Promise<UserRecord | undefined> {
    const user = await this.store.users.findByEmail(tenant, email);
    if (user) return user;
    const legacy = legacyNormalizeEmail(raw);
    return legacy === email ? undefined : this.store.users.findByEmail(tenant, legacy);
  }

  /**
   * Verifies the normalised password; when it does not verify and the typed form differs, the typed form (a hash
   * made before passwords were normalised), and on success stores the hash of the normalised form. Both attempts
   * are made whether or not the account exists, so the time taken says nothing about it.
   */
  private async verifyPassword(user: UserRecord | undefined, password: string, raw: string): Promise<boolean> {
    if (await this.passwords.verify(user?.passwordHash, password)) return true;
    if (raw === password || !(await this.passwords.verify(user?.passwordHash, raw))) return false;
    await this.store.users.setPasswordHash(user!.id, await this.passwords.hash(password), Date.now());
    return true;
  }

  /** Checks the current password, stores the new one and revokes every other session of the user. */
  async changePassword(
    entry: CurrentSession,
    currentPassword: string,
    newPassword: string,
    client: ClientInfo,
  ): Promise<void> {
    const current = normalizePassword(currentPassword, 'currentPassword');
    const next = normalizePassword(newPassword, 'newPassword');
    const user = await this.store.users.findById(entry.session.userId);
    if (!user || !(await this.verifyPassword(user, current, currentPassword)))
      throw new TesseraError('invalid_credentials', 'The current password is incorrect.');
    await this.store.users.setPasswordHash(user.id, await this.passwords.hash(next), Date.now());
    await this.sessions.revokeAll(user.id, 'password_changed', entry.session.id);
    await this.audit.record('password_changed', {
      tenant: user.tenant,
      userId: user.id,
      sessionId: entry.session.id,
      ip: client.ip,
      userAgent: client.userAgent,
    });
  }

  async setRoles(userId: string, roles: string[], actor: { userId: string; ip: string }) {
    const before = await this.store.users.findById(userId);
    const user = await this.store.users.setRoles(userId, [...new Set(roles)], Date.now());
    if (!user) throw new TesseraError('not_found', 'No such user.');
    await this.sessions.userChanged(user.id);
    await this.audit.record('roles_changed', {
      tenant: user.tenant,
      userId: user.id,
      ip: actor.ip,
      details: { by: actor.userId, from: before?.roles ?? [], to: user.roles },
    });
    return this.view(user);
  }

  /** TESSERA_ADMIN_EMAIL / TESSERA_ADMIN_PASSWORD: create the admin, or bring its password and role up to date. */
  async ensureAdmin(email: string, password: string): Promise<UserRecord> {
    const tenant = normalizeTenant(undefined);
    const normalizedEmail = normalizeEmail(email);
    let existing = await this.store.users.findByEmail(tenant, normalizedEmail);
    if (!existing) {
      try {
        await this.signup({ email, password, roles: ['admin', 'user'] }, { ip: '127.0.0.1', userAgent: 'tessera' });
        return (await this.store.users.findByEmail(tenant, normalizedEmail))!;
      } catch (error) {
        // Several instances starting at once on a fresh database: another one created it first.
        if (!(error instanceof TesseraError && error.code === 'email_taken')) throw error;
        existing = (await this.store.users.findByEmail(tenant, normalizedEmail))!;
      }
    }
    if (!(await this.passwords.verify(existing.passwordHash, normalizePassword(password)))) {
      await this.store.users.setPasswordHash(
        existing.id,
        await this.passwords.hash(normalizePassword(password)),
        Date.now(),
      );
    }
    if (!existing.roles.includes('admin'))
      await this.store.users.setRoles(existing.id, [...existing.roles, 'admin'], Date.now());
    return (await this.store.users.findById(existing.id))!;
  }
}
