import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { LoadRequest, LoadResult } from './types.js';

const MARK = 'TESSERA_WRK ';

/**
 * Runs wrk (one thread, pinned with taskset when asked) against one URL. A generated Lua script pre-formats one
 * request per distinct session and cycles through them, and prints its figures as one JSON line when done.
 */
export function runWrk(request: LoadRequest): Promise<LoadResult> {
  const dir = mkdtempSync(path.join(tmpdir(), 'tessera-wrk-'));
  const script = path.join(dir, 'load.lua');
  const data = path.join(dir, 'headers.tsv');
  writeFileSync(data, headerLines(request));
  writeFileSync(script, luaScript(request, data));
  const wrk = ['wrk', '-t1', `-c${request.connections}`, `-d${request.durationSec}s`, '--timeout', '10s'];
  const argv = [...wrk, '-s', script, request.url];
  const [file, ...args] = request.cpu === undefined ? argv : ['taskset', '-c', String(request.cpu), ...argv];
  return new Promise<LoadResult>((resolve, reject) => {
    execFile(file, args, { timeout: (request.durationSec + 30) * 1000 }, (error, stdout, stderr) => {
      rmSync(dir, { recursive: true, force: true });
      const line = stdout.split('\n').find((l) => l.startsWith(MARK));
      if (error || !line) {
        reject(new Error(`wrk: ${error?.message ?? 'no figures'} ${stderr.trim()}`.trim()));
        return;
      }
      const out = JSON.parse(line.slice(MARK.length)) as WrkFigures;
      const seconds = out.durationUs / 1e6;
      resolve({
        reqPerSec: seconds > 0 ? out.requests / seconds : 0,
        p50Ms: out.p50Us / 1000,
        p99Ms: out.p99Us / 1000,
        requests: out.requests,
        errors: out.connect + out.read + out.write + out.timeout,
        non2xx: out.status,
      });
    });
  });
}

interface WrkFigures {
  requests: number;
  durationUs: number;
  p50Us: number;
  p99Us: number;
  connect: number;
  read: number;
  write: number;
  status: number;
  timeout: number;
}

const lua = (value: string): string => JSON.stringify(value); // a JSON string of ASCII is a valid Lua string

/** Header sets go to a data file (name, tab, value, tab…; one line each): 10 000 inline constants would not compile. */
function headerLines(request: LoadRequest): string {
  const sets = request.sessions?.length ? request.sessions : [{}];
  return sets
    .map((set) =>
      Object.entries({ ...request.headers, ...set })
        .flat()
        .join('\t'),
    )
    .join('\n');
}

function luaScript(request: LoadRequest, dataFile: string): string {
  const url = new URL(request.url);
  return `local requests = {}
init = function()
  for line in io.lines(${lua(dataFile)}) do
    local headers, name = {}, nil
    for field in string.gmatch(line, "[^\\t]+") do
      if name then headers[name] = field; name = nil else name = field end
    end
    requests[#requests + 1] = wrk.format("GET", ${lua(url.pathname + url.search)}, headers)
  end
  if #requests == 0 then requests[1] = wrk.format("GET", ${lua(url.pathname + url.search)}, {}) end
end
local i = 0
request = function()
  i = i + 1
  if i > #requests then i = 1 end
  return requests[i]
end
done = function(summary, latency)
  local e = summary.errors
  io.write(string.format('${MARK}{"requests":%d,"durationUs":%d,"p50Us":%d,"p99Us":%d,"connect":%d,"read":%d,"write":%d,"status":%d,"timeout":%d}\\n',
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(99),
    e.connect, e.read, e.write, e.status, e.timeout))
end
`;
}
