/**
 * A value from a scenario or config file (JSON/YAML) as text: scalars as they print, objects and arrays as
 * JSON, so a value of the wrong type reads as what was written instead of "[object Object]".
 */
export function asText(value: unknown): string {
  if (typeof value === 'string') return value;
  if (typeof value === 'object' && value !== null) return JSON.stringify(value);
  return String(value);
}
