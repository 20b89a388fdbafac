import { Type, type TSchema } from '@sinclair/typebox';
import { DEFAULT_TENANT } from '../auth/normalize.js';

export const Email = Type.String({
  minLength: 3,
  maxLength: 320,
  pattern: '^\\s*[^\\s@]+@[^\\s@]+\\s*$',
  description: 'trimmed, NFKC-normalised and case-folded; control, zero-width and bidi characters are refused',
});
export const Password = Type.String({ minLength: 8, maxLength: 256 });
export const Tenant = Type.String({ pattern: '^[A-Za-z0-9_-]{1,64}$', description: `defaults to "${DEFAULT_TENANT}"` });
export const Timestamp = Type.String({ format: 'date-time' });

export const UserSchema = Type.Object(
  {
    id: Type.String(),
    email: Type.String(),
    name: Type.Union([Type.String(), Type.Null()]),
    tenant: Type.String(),
    roles: Type.Array(Type.String()),
    permissions: Type.Array(Type.String()),
    createdAt: Timestamp,
  },
  { $id: 'User' },
);

export const SessionSchema = Type.Object(
  {
    id: Type.String(),
    userId: Type.String(),
    createdAt: Timestamp,
    lastSeenAt: Timestamp,
    expiresAt: Timestamp,
    idleExpiresAt: Timestamp,
    data: Type.Record(Type.String(), Type.Unknown()),
    version: Type.Integer(),
  },
  { $id: 'Session' },
);

export const ErrorSchema = Type.Object(
  {
    error: Type.Object({
      code: Type.String(),
      message: Type.String(),
      requestId: Type.String(),
      details: Type.Optional(Type.Array(Type.Object({ field: Type.String(), message: Type.String() }))),
    }),
  },
  { $id: 'Error', description: 'The one error shape' },
);

export const TokenResponse = Type.Object({ token: Type.String(), expiresAt: Timestamp, idleExpiresAt: Timestamp });

const errorRef = Type.Ref('Error');

/** Response map with the error shape for each listed status. */
export function responses(success: Record<number, TSchema>, errorStatuses: number[]): Record<number, TSchema> {
  const out: Record<number, TSchema> = { ...success };
  for (const status of errorStatuses) out[status] = errorRef;
  return out;
}

export const NoContent = Type.Null({ description: 'No content' });
export const SHARED_SCHEMAS = [UserSchema, SessionSchema, ErrorSchema];
