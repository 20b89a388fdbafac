export type CheckStatus = 'ok' | 'warn' | 'fail' | 'skip';

/** One line of `tessera doctor`: what was checked, what was found, and what to do about it. */
export interface CheckResult {
  status: CheckStatus;
  name: string;
  detail: string;
  fix?: string;
}

export const ok = (name: string, detail: string): CheckResult => ({ status: 'ok', name, detail });
export const warn = (name: string, detail: string, fix: string): CheckResult => ({ status: 'warn', name, detail, fix });
export const fail = (name: string, detail: string, fix: string): CheckResult => ({ status: 'fail', name, detail, fix });
export const skip = (name: string, detail: string): CheckResult => ({ status: 'skip', name, detail });

export const errorMessage = (error: unknown): string => {
  if (error instanceof AggregateError && error.errors.length > 0) return errorMessage(error.errors[0]);
  const message = error instanceof Error ? error.message || error.name : String(error);
  return message.split('\n')[0];
};

/** A URL safe to print: never its password. */
export function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    return u.toString();
  } catch {
    return '(unparseable URL)';
  }
}
