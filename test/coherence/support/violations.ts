/** An answer that showed state older than an acknowledged write, more than the allowed 1 s after its ack. */
export interface Violation {
  trial?: number;
  /** Session id (or user id for a role change). */
  subject: string;
  instance: string;
  status: number;
  msAfterAck: number;
  what: string;
}

/** How long after an acknowledged write an instance may still show the old state. */
export const STALENESS_BOUND_MS = 1000;

export function formatViolations(title: string, violations: Violation[], limit = 60): string {
  const lines = violations
    .slice(0, limit)
    .map(
      (v) =>
        `  ${v.trial === undefined ? '' : `trial ${v.trial}: `}${v.subject} on ${v.instance}: ${v.status} ${v.what}, sent ${v.msAfterAck} ms after the ack`,
    );
  const more = violations.length > limit ? [`  … and ${violations.length - limit} more`] : [];
  return [`${title}: ${violations.length} violation(s)`, ...lines, ...more].join('\n');
}

/** Prints the violations and fails the test with the same text. */
export function assertNoViolations(title: string, violations: Violation[]): void {
  if (violations.length === 0) return;
  const text = formatViolations(title, violations);
  console.error(text);
  throw new Error(text);
}
