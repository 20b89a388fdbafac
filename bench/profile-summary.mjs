#!/usr/bin/env node
// Summarises a V8 .cpuprofile (from `tessera bench --profile DIR`): self time by function and by package,
// and inclusive time of the functions that matter on the hot path. Usage: node bench/profile-summary.mjs FILE [TOP]
import { readFileSync } from 'node:fs';

const [file, topArg, skipArg] = process.argv.slice(2);
if (!file) {
  console.error('usage: node bench/profile-summary.mjs FILE.cpuprofile [TOP] [SKIP_FIRST_MS]');
  process.exit(2);
}
const top = Number(topArg ?? 30);
const profile = JSON.parse(readFileSync(file, 'utf8'));
const byId = new Map(profile.nodes.map((n) => [n.id, n]));
const parent = new Map();
for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);

// Self time per node from the sample timeline; SKIP_FIRST_MS leaves out start-up (module loading, schema compiling).
const skipMicros = Number(skipArg ?? 0) * 1000;
const self = new Map();
let clock = 0;
for (let i = 0; i < profile.samples.length; i++) {
  clock += profile.timeDeltas[i] ?? 0;
  if (clock < skipMicros) continue;
  const dt = profile.timeDeltas[i + 1] ?? 0;
  self.set(profile.samples[i], (self.get(profile.samples[i]) ?? 0) + dt);
}
const total = [...self.values()].reduce((a, b) => a + b, 0);
const idle = [...self]
  .filter(([id]) => byId.get(id).callFrame.functionName === '(idle)')
  .reduce((a, [, t]) => a + t, 0);
const busy = total - idle;

const where = (cf) => {
  const url = cf.url.replace(/^file:\/\//, '');
  const nm = url.lastIndexOf('node_modules/');
  if (nm >= 0)
    return url
      .slice(nm + 13)
      .split('/')
      .slice(0, url.slice(nm + 13).startsWith('@') ? 2 : 1)
      .join('/');
  if (url.includes('/dist/')) return `tessera:${url.slice(url.indexOf('/dist/') + 6)}`;
  if (url.startsWith('node:')) return url;
  return url || '(native)';
};
const key = (cf) => `${cf.functionName || '(anonymous)'} ${where(cf)}:${cf.lineNumber + 1}`;

const selfByFn = new Map();
const selfByPkg = new Map();
for (const [id, t] of self) {
  const cf = byId.get(id).callFrame;
  if (cf.functionName === '(idle)') continue;
  selfByFn.set(key(cf), (selfByFn.get(key(cf)) ?? 0) + t);
  const pkg = where(cf).startsWith('tessera:') ? `tessera:${where(cf).slice(8).split('/')[0]}` : where(cf);
  selfByPkg.set(pkg, (selfByPkg.get(pkg) ?? 0) + t);
}

// Inclusive time per function (each sample counted once per distinct function on its stack).
const inclusive = new Map();
for (const [id, t] of self) {
  const seen = new Set();
  for (let n = id; n !== undefined; n = parent.get(n)) {
    const k = key(byId.get(n).callFrame);
    if (seen.has(k)) continue;
    seen.add(k);
    inclusive.set(k, (inclusive.get(k) ?? 0) + t);
  }
}

const pct = (t) => `${((t / busy) * 100).toFixed(1).padStart(5)}%`;
const print = (title, map, n) => {
  console.log(`\n${title}`);
  for (const [k, t] of [...map].sort((a, b) => b[1] - a[1]).slice(0, n)) console.log(`${pct(t)}  ${k}`);
};
console.log(
  `${file}: ${(total / 1000).toFixed(0)} ms sampled, busy ${(busy / 1000).toFixed(0)} ms (${((busy / total) * 100).toFixed(0)}%)`,
);
print('self time by package / area (share of busy time)', selfByPkg, 25);
print('self time by function', selfByFn, top);
print('inclusive time by function', new Map([...inclusive].filter(([k]) => !k.startsWith('(root)'))), top);
