import { availableParallelism } from 'node:os';
import { Cron } from 'croner';
import { parseDuration } from './duration.js';

/** A parser turns the raw text of one variable into its value, or returns an error string. */
export type FieldParser<T> = (raw: string) => { value: T } | { error: string };

export const asString: FieldParser<string> = (raw) =>
  raw.length > 0 ? { value: raw } : { error: 'must not be empty' };

export function asInt(min: number, max: number): FieldParser<number> {
  return (raw) => {
    if (!/^-?\d+$/.test(raw.trim())) return { error: `must be an integer, got "${raw}"` };
    const n = Number(raw);
    return n >= min && n <= max ? { value: n } : { error: `must be between ${min} and ${max}, got ${n}` };
  };
}

/** An integer, or `cores`: the cores this process may use (`os.availableParallelism()`), within the bounds. */
export function asCountOrCores(min: number, max: number): FieldParser<number> {
  const asCount = asInt(min, max);
  return (raw) => {
    if (raw.trim() === 'cores') return { value: Math.min(max, Math.max(min, availableParallelism())) };
    const parsed = asCount(raw);
    return 'error' in parsed ? { error: `${parsed.error} (or "cores")` } : parsed;
  };
}

export function asNumber(min: number, max: number): FieldParser<number> {
  return (raw) => {
    const n = Number(raw);
    if (raw.trim() === '' || !Number.isFinite(n)) return { error: `must be a number, got "${raw}"` };
    return n >= min && n <= max ? { value: n } : { error: `must be between ${min} and ${max}, got ${n}` };
  };
}

export function asDuration(minMs = 1): FieldParser<number> {
  return (raw) => {
    const ms = parseDuration(raw);
    if (ms === undefined) return { error: `must be a duration such as 500ms, 15s, 30m or 7d, got "${raw}"` };
    return ms >= minMs ? { value: ms } : { error: `must be at least ${minMs}ms, got "${raw}"` };
  };
}

export const asBoolean: FieldParser<boolean> = (raw) => {
  const v = raw.trim().toLowerCase();
  if (['1', 'true', 'yes', 'on'].includes(v)) return { value: true };
  if (['0', 'false', 'no', 'off'].includes(v)) return { value: false };
  return { error: `must be true or false, got "${raw}"` };
};

export function asEnum<T extends string>(values: readonly T[]): FieldParser<T> {
  return (raw) =>
    (values as readonly string[]).includes(raw)
      ? { value: raw as T }
      : { error: `must be one of ${values.join(', ')}, got "${raw}"` };
}

export function asUrl(protocols: readonly string[]): FieldParser<string> {
  return (raw) => {
    try {
      const url = new URL(raw);
      return protocols.includes(url.protocol)
        ? { value: raw }
        : { error: `must be a ${protocols.map((p) => p.replace(':', '://')).join(' or ')} URL` };
    } catch {
      return { error: 'must be a valid URL' };
    }
  };
}

export const asHostPortList: FieldParser<string[]> = (raw) => {
  const items = raw
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  const bad = items.find((item) => !/^[^\s:]+:\d{1,5}$/.test(item) && !/^\[[0-9a-fA-F:]+\]:\d{1,5}$/.test(item));
  if (items.length === 0) return { error: 'must list at least one host:port' };
  return bad ? { error: `"${bad}" is not host:port` } : { value: items };
};

/**
 * Hostnames or host:port entries (`staging.example.com`, `10.0.0.5:8080`, `[2001:db8::1]:443`), comma-separated.
 * Each must be a bare host as a URL parser reads it: no scheme, path, user info or wildcard.
 */
export const asHostList: FieldParser<string[]> = (raw) => {
  const items = raw
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  for (const item of items) {
    let url: URL | undefined;
    try {
      url = /^[A-Za-z0-9._\-[\]:]+$/.test(item) ? new URL(`http://${item}`) : undefined;
    } catch {
      url = undefined;
    }
    const port = /:(\d+)$/.exec(item)?.[1];
    if (
      !url ||
      url.hostname === '' ||
      url.pathname !== '/' ||
      (port !== undefined && (Number(port) < 1 || Number(port) > 65535))
    ) {
      return { error: `"${item}" is not a hostname or host:port` };
    }
  }
  return { value: items };
};

/**
 * Web origins (`https://app.example.com`, `http://localhost:5173`), comma-separated, each kept in the form a browser
 * sends in `Origin` (scheme, host and port only, default port dropped), so a comparison with it is exact.
 */
export const asOriginList: FieldParser<string[]> = (raw) => {
  const origins: string[] = [];
  for (const item of raw
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean)) {
    let url: URL | undefined;
    try {
      url = new URL(item);
    } catch {
      url = undefined;
    }
    if (!url || !/^https?:$/.test(url.protocol) || url.username || url.password || url.search || url.hash)
      return { error: `"${item}" is not an origin such as https://app.example.com` };
    if (url.pathname !== '/') return { error: `"${item}" is not an origin: drop the path "${url.pathname}"` };
    origins.push(url.origin);
  }
  return { value: origins };
};

/** TRUST_PROXY: `true`/`false`, a hop count, or a comma-separated list of addresses/CIDRs. */
export const asTrustProxy: FieldParser<boolean | number | string[]> = (raw) => {
  const v = raw.trim().toLowerCase();
  if (v === 'true') return { value: true };
  if (v === 'false' || v === '') return { value: false };
  if (/^\d+$/.test(v)) return { value: Number(v) };
  const list = raw
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  const bad = list.find((s) => !/^[0-9a-fA-F.:]+(\/\d{1,3})?$/.test(s));
  return bad
    ? { error: `must be true, false, a hop count or a CIDR list; "${bad}" is none of these` }
    : { value: list };
};

/** A comma-separated list of IP addresses or CIDRs (`10.0.0.0/8`, `2001:db8::/32`, `203.0.113.7`). */
export const asCidrList: FieldParser<string[]> = (raw) => {
  const list = raw
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  const bad = list.find((s) => !isCidrOrAddress(s));
  return bad
    ? { error: `must be a comma-separated list of IP addresses or CIDRs; "${bad}" is not one` }
    : { value: list };
};

function isCidrOrAddress(s: string): boolean {
  const [addr, bits, extra] = s.split('/');
  if (extra !== undefined || !addr) return false;
  const v4 = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(addr);
  const isV4 = v4 !== null && v4.slice(1).every((o) => Number(o) <= 255);
  const isV6 = !isV4 && addr.includes(':') && /^[0-9a-fA-F:.]+$/.test(addr);
  if (!isV4 && !isV6) return false;
  if (bits === undefined) return true;
  return /^\d{1,3}$/.test(bits) && Number(bits) <= (isV4 ? 32 : 128);
}

/** Comma-separated e-mail addresses (a light check: local@domain, no spaces or angle brackets). */
export const asEmailList: FieldParser<string[]> = (raw) => {
  const items = raw
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  if (items.length === 0) return { error: 'must list at least one e-mail address' };
  const bad = items.find((item) => !/^[^\s@<>,]+@[^\s@<>,]+$/.test(item));
  return bad === undefined ? { value: items } : { error: `"${bad}" is not an e-mail address` };
};

/** A cron expression (5 fields, or 6 with seconds first), checked by croner. */
export const asCron: FieldParser<string> = (raw) => {
  try {
    new Cron(raw.trim(), { paused: true }).stop();
    return { value: raw.trim() };
  } catch (error) {
    return { error: `must be a cron expression such as "*/5 * * * *", got "${raw}" (${(error as Error).message})` };
  }
};
