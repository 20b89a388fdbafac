import type { RolesRepository } from '../store/types.js';

const MEMO_TTL_MS = 30_000;

/** Roles → permissions, memoised per role set (role definitions change rarely; role assignments are per user). */
export class PermissionResolver {
  private readonly memo = new Map<string, { permissions: string[]; until: number }>();

  constructor(private readonly roles: RolesRepository) {}

  async forRoles(roles: string[]): Promise<string[]> {
    const key = [...roles].sort().join(',');
    const hit = this.memo.get(key);
    if (hit && hit.until > Date.now()) return hit.permissions;
    const permissions = (await this.roles.permissionsFor(roles)).sort();
    this.memo.set(key, { permissions, until: Date.now() + MEMO_TTL_MS });
    return permissions;
  }

  clear(): void {
    this.memo.clear();
  }
}
