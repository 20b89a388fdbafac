#!/usr/bin/env node
// Runs the randomised coherence model (test/coherence/model.test.ts) for a long time through vitest:
//   node bench/coherence-model.mjs --seed 42 --duration 10m [--cluster]
// Prints the seed first; the test prints the counts (operations by kind, acknowledged revocations,
// faults injected, violations) at the end. Needs a build (npm run build) and PostgreSQL + Redis.
import { spawn } from 'node:child_process';
import { parseArgs } from 'node:util';

const { values } = parseArgs({
  options: {
    seed: { type: 'string' },
    duration: { type: 'string', default: '10m' },
    cluster: { type: 'boolean', default: false },
    history: { type: 'string' },
  },
});
const seed = values.seed ?? String(Math.floor(Math.random() * 2 ** 31));
const variant = values.cluster ? 'cluster' : 'standalone';
console.log(`coherence model: variant=${variant} COHERENCE_SEED=${seed} COHERENCE_DURATION=${values.duration}`);

const env = {
  ...process.env,
  COHERENCE_SEED: seed,
  COHERENCE_DURATION: values.duration,
  COHERENCE_VARIANT: variant,
  TESSERA_REQUIRE_SERVICES: '1',
  ...(values.history ? { COHERENCE_HISTORY_FILE: values.history } : {}),
};
const child = spawn('npx', ['vitest', 'run', 'test/coherence/model.test.ts'], { env, stdio: 'inherit' });
child.on('exit', (code) => {
  console.log(
    `coherence model: ${code === 0 ? 'no violations' : 'FAILED'} (replay: node bench/coherence-model.mjs --seed ${seed} --duration ${values.duration}${values.cluster ? ' --cluster' : ''})`,
  );
  process.exit(code ?? 1);
});
