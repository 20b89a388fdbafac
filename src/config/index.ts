export { loadConfig, ConfigError, type Config } from './load.js';
export { CONFIG_FIELDS, type ConfigKey } from './schema.js';
export { parseDuration, formatDuration } from './duration.js';
export { stillOpenInProduction, type OpenSetting } from './exposure.js';
