/** Tessera's library API: embed the session core, or start a whole server in-process. */
export { loadConfig, ConfigError, type Config } from './config/index.js';
export { createRuntime, type Runtime, type RuntimeOptions } from './runtime.js';
export { buildApp } from './http/app.js';
export { SessionManager } from './sessions/session-manager.js';
export type { SessionEntry, SessionView } from './sessions/types.js';
export type { UserView } from './auth/user-view.js';
export { TesseraError, ERRORS, type ErrorCode } from './errors/index.js';
export { startTessera, type StartOptions, type RunningTessera } from './server.js';
