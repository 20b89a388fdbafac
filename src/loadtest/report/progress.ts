import { logUpdateStderr } from 'log-update';
import type { Progress } from '../run.js';

const bar = (fraction: number, width = 24): string => {
  const full = Math.max(0, Math.min(width, Math.round(fraction * width)));
  return '█'.repeat(full) + '░'.repeat(width - full);
};

function line(p: Progress): string {
  return `${(p.elapsedMs / 1000).toFixed(0)}s/${(p.totalMs / 1000).toFixed(0)}s  ${p.rps} req/s  p90 ${p.p90.toFixed(1)}ms  p99 ${p.p99.toFixed(1)}ms  errors ${(p.errorRate * 100).toFixed(2)}%  vus ${p.vus}${p.dropped ? `  dropped ${p.dropped}` : ''}  total ${p.reqs}  gen CPU ${Math.round(p.generatorCpu * 100)}%`;
}

/** Live progress: a redrawn block on a TTY (stderr), one plain line every 5 s otherwise. */
export function createProgress(
  tty: boolean,
  write: (line: string) => void,
): { update: (p: Progress) => void; done: () => void } {
  if (tty) {
    const render = logUpdateStderr;
    return {
      update: (p) => render(`${bar(p.elapsedMs / Math.max(p.totalMs, 1))} ${line(p)}`),
      done: () => render.done(),
    };
  }
  let last = 0;
  return {
    update: (p) => {
      if (p.elapsedMs - last >= 5000) {
        last = p.elapsedMs;
        write(line(p));
      }
    },
    done: () => undefined,
  };
}
