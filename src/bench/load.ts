import { fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { pinProcess } from './tools.js';
import type { GeneratorName, LoadRequest, LoadResult } from './types.js';
import { runWrk } from './wrk-runner.js';

const RUNNER = fileURLToPath(new URL('./autocannon-runner.js', import.meta.url));

/** Runs the chosen load generator in its own process against one URL and returns its figures. */
export function runLoad(request: LoadRequest, generator: GeneratorName): Promise<LoadResult> {
  // wrk would need a Lua script to send a body: POST loads (the login suites) stay on autocannon.
  return generator === 'wrk' && (request.method ?? 'GET') === 'GET' ? runWrk(request) : runAutocannon(request);
}

/** Runs autocannon in a child process (pinned when asked) against one URL and returns its figures. */
function runAutocannon(request: LoadRequest): Promise<LoadResult> {
  return new Promise((resolve, reject) => {
    const child = fork(RUNNER, [], { execArgv: [], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    pinProcess(child.pid, request.cpu);
    let settled = false;
    const timer = setTimeout(
      () => {
        child.kill('SIGKILL');
        finish(new Error(`load generator did not finish within ${request.durationSec + 30}s`));
      },
      (request.durationSec + 30) * 1000,
    );
    const finish = (error: Error | undefined, result?: LoadResult) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      if (error) reject(error);
      else resolve(result!);
    };
    child.once('message', (message: { result?: LoadResult; error?: string }) => {
      if (message.error) finish(new Error(`load generator: ${message.error}`));
      else finish(undefined, message.result);
    });
    child.once('exit', (code) => finish(new Error(`load generator exited with code ${code} before reporting`)));
    child.once('error', (error) => finish(error));
    child.send(request);
  });
}
