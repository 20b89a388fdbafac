import { measureInterleaved, ratio, type TargetFigures } from '../interleave.js';
import { startTarget, stopAll, type TargetHandle, type TargetSpec } from '../targets.js';
import type { BenchSettings } from '../types.js';

export interface Variant {
  name: string;
  spec: TargetSpec | ((first: TargetHandle) => TargetSpec);
  /** Run by another build (bench --against): its dist/ directory. */
  distDir?: string;
}

/**
 * Each Tessera variant again, run by the build given with --against, right after it. `ownEnv` gives the twin
 * what it must not share with this build (its own database and key prefix: the two builds' schemas differ).
 */
export function withAgainstBuild(
  variants: Variant[],
  settings: BenchSettings,
  ownEnv: (env: Record<string, string>) => Record<string, string> = (env) => env,
): Variant[] {
  const against = settings.against;
  if (!against) return variants;
  return variants.flatMap((v) =>
    typeof v.spec !== 'function' && v.spec.kind === 'tessera'
      ? [
          v,
          {
            name: `${v.name} @ ${against.label}`,
            spec: { kind: 'tessera', env: ownEnv(v.spec.env) },
            distDir: against.distDir,
          },
        ]
      : [v],
  );
}

/**
 * Starts every variant (each in its own process; a spec given as a function sees the first, started
 * target, e.g. to replay its response), measures them interleaved, stops them all.
 */
export async function measureVariants(
  variants: Variant[],
  settings: BenchSettings,
): Promise<{ figures: TargetFigures[]; first: TargetHandle }> {
  const started: TargetHandle[] = [];
  try {
    for (const variant of variants) {
      const spec = typeof variant.spec === 'function' ? variant.spec(started[0]) : variant.spec;
      settings.log(`  starting ${variant.name}`);
      started.push(await startTarget(variant.name, spec, { ...settings, distDir: variant.distDir }));
    }
    return { figures: await measureInterleaved(started, settings), first: started[0] };
  } finally {
    await stopAll(started);
  }
}

export const figuresByName = (figures: TargetFigures[]) => new Map(figures.map((f) => [f.name, f]));
export { ratio };
