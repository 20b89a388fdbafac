/** Reads `$.a.b[0].c` (dot and index steps only) out of a parsed JSON value. */
export function readJsonPath(value: unknown, path: string): unknown {
  if (!/^\$(\.[A-Za-z_$][\w$-]*|\[\d+\]|\["[^"]*"\])*$/.test(path)) return undefined;
  let current: unknown = value;
  const steps = path.slice(1).match(/\.[A-Za-z_$][\w$-]*|\[\d+\]|\["[^"]*"\]/g) ?? [];
  for (const step of steps) {
    if (current === null || typeof current !== 'object') return undefined;
    const key = step.startsWith('.')
      ? step.slice(1)
      : step.startsWith('["')
        ? step.slice(2, -2)
        : Number(step.slice(1, -1));
    current = (current as Record<string | number, unknown>)[key];
  }
  return current;
}

export function isJsonPath(path: string): boolean {
  return /^\$(\.[A-Za-z_$][\w$-]*|\[\d+\]|\["[^"]*"\])*$/.test(path);
}
