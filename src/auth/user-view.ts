import type { UserRecord } from '../store/types.js';

/** What the API shows of a user (no password hash). */
export interface UserView {
  id: string;
  email: string;
  name: string | null;
  tenant: string;
  roles: string[];
  permissions: string[];
  createdAt: string;
}

export function toUserView(user: UserRecord, permissions: string[]): UserView {
  return {
    id: user.id,
    email: user.email,
    name: user.name,
    tenant: user.tenant,
    roles: user.roles,
    permissions,
    createdAt: new Date(user.createdAt).toISOString(),
  };
}
