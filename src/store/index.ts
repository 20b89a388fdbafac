export type * from './types.js';
export { createStore, SQLITE_FILENAME, type CreateStoreOptions } from './create-store.js';
export { isConnectivityError, isUniqueViolation } from './db-errors.js';
export { ADMIN_PERMISSIONS, USER_PERMISSIONS } from './migrations/0001_initial.js';
export { MIGRATIONS } from './migrations/index.js';
