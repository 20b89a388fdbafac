export const DEFAULT_TENANT = 'default';

export const normalizeEmail = (email: string): string => email.trim().toLowerCase();
export const normalizeTenant = (tenant: string | undefined): string => tenant?.trim() || DEFAULT_TENANT;
