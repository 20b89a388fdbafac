export interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

const LINE = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})?\s+(\S+)/;
const LABEL = /([a-zA-Z_][a-zA-Z0-9_]*)\s*=\s*"((?:[^"\\]|\\.)*)"/g;

/** Parses Prometheus text exposition into samples (comments and malformed lines are skipped). */
export function parsePrometheus(text: string): Sample[] {
  const out: Sample[] = [];
  for (const line of text.split('\n')) {
    if (!line || line.startsWith('#')) continue;
    const match = LINE.exec(line.trim());
    if (!match) continue;
    const value = match[3] === '+Inf' ? Infinity : match[3] === '-Inf' ? -Infinity : Number(match[3]);
    if (Number.isNaN(value) && match[3] !== 'NaN') continue;
    const labels: Record<string, string> = {};
    if (match[2]) for (const m of match[2].matchAll(LABEL)) labels[m[1]] = m[2].replace(/\\(.)/g, '$1');
    out.push({ name: match[1], labels, value });
  }
  return out;
}
