import type { Command } from 'commander';
import { collect, k6ExitCodes } from './loadtest-shared.js';
import { registerLoadtestMerge } from './loadtest-merge.js';
import { registerLoadtestSuite } from './loadtest-suite.js';
import type { CliOptions } from './loadtest-action.js';
import { NAMED_PRESETS } from '../loadtest/named-presets.js';

async function action(file: string | undefined, opts: CliOptions): Promise<void> {
  const { loadtestAction } = await import('./loadtest-action.js');
  await loadtestAction(file, opts);
}

export function registerLoadtest(program: Command): void {
  // Subcommand options must reach `loadtest merge|suite` rather than being taken by a parent
  // (commander parses a parent's known flags anywhere unless positional options are on, top-down).
  program.enablePositionalOptions();
  const command = program
    .command('loadtest')
    .description(
      'Load test a Tessera server (built-in session flows) or any HTTP target. Exit codes: 0 ok, 99 a threshold failed, 104 invalid configuration, 111 regression against --baseline.',
    )
    .argument('[SCENARIO_FILE]', 'custom scenario: YAML/JSON steps or a TypeScript/JavaScript module')
    .option(
      '--target <URL>',
      'base URL the scenarios run against, or a name under targets: in ./tessera.loadtest.yaml (default http://127.0.0.1:3000)',
    )
    .option('--url <URL>', 'hammer one URL, as autocannon does')
    .option('--method <M>', 'method for --url (default GET)')
    .option('--header <NAME: VALUE>', 'header for --url (repeatable)', collect)
    .option('--body <TEXT>', 'body for --url')
    .option(
      '--scenario <NAME>',
      'auth | session | cache | signup | mixed | write-heavy | invalidation | mix | bruteforce | bot (default auth)',
    )
    .option('--mix <OP=W,...>', 'scenario mix: operation weights, e.g. read=70,write=20,invalidate=10 (also delete)')
    .option('--attackers <N>', 'bruteforce: attackers, each one stable address (default 50)')
    .option('--attack-rate <R/s>', 'bruteforce: failed logins per second per attacker (default 10/s)')
    .option('--bots <N>', 'bot: bots, each one stable address and client (default 100)')
    .option('--bot-rate <R/min>', 'bot: requests per minute per bot (default 50/min)')
    .option('--legit-vus <N>', 'bruteforce, bot: legitimate users alongside the attack (default 10)')
    .option('--profile <NAME>', 'smoke | load | stress | spike | soak | breakpoint')
    .option('--preset <NAME>', `a named test configuration: ${NAMED_PRESETS.map((p) => p.name).join(' | ')}`)
    .option('--vus <N>', 'virtual users (closed model)')
    .option('--rate <N>', 'iterations per second (open model)')
    .option('--max-vus <N>', 'open model: VU cap; arrivals beyond it are dropped_iterations')
    .option('-n, --requests <N>', 'stop after N requests (as ab -n; iterations in flight finish)')
    .option('--duration <D>', 'run length, e.g. 30s (default 10s; scales a profile)')
    .option('--stage <D:N>', 'ramp stage, repeatable: 30s:100 (VUs, or rate with --rate)', collect)
    .option('--think <D>', 'think time between requests and iterations: 1s or 1s-3s')
    .option('--workers <N>', 'load-generating threads (histograms merge exactly)')
    .option(
      '--threshold <EXPR>',
      "'METRIC: EXPR', e.g. 'http_req_duration{step:login}: p(95)<300 over 30s' (repeatable)",
      collect,
    )
    .option('--abort-on-fail', 'stop the run as soon as a --threshold fails')
    .option('--config <FILE>', 'JSON/YAML with k6-style thresholds (abortOnFail, delayAbortEval) and options')
    .option(
      '--out <KIND=FILE>',
      'json=F, csv=F, html=F or ndjson=F (a line per second, streamed) (repeatable)',
      collect,
    )
    .option('--save-baseline <FILE>', 'save this run as a baseline')
    .option('--baseline <FILE>', 'compare to a saved baseline; exit 111 on regression')
    .option('--tolerance <PCT>', 'allowed change against the baseline (default 10)')
    .option('--self', 'start an embedded Tessera in its own process, seed users, test it, stop it')
    .option('--self-env <NAME=VALUE>', 'environment for the --self server (repeatable)', collect)
    .option('--users <N>', 'users to seed (lt-user-N@loadtest.local)')
    .option('--password <P>', 'password of the seeded users')
    .option(
      '--admin-email <E>',
      'an admin of the target: seed users through POST /v1/admin/users/bulk (no signup limit)',
    )
    .option('--admin-password <P>', "that admin's password")
    .option('--timeout <D>', 'request timeout (default 30s)')
    .option('--label <TEXT>', 'name of this run in reports')
    .option('--metrics-token <T>', "the target's METRICS_TOKEN, to scrape its /metrics (default: $METRICS_TOKEN)")
    .option('--no-progress', 'no live progress')
    .option('--quiet', 'no end summary on stdout')
    .action(action);
  // Options after `merge` / `suite` belong to them (both share flag names with loadtest).
  command.enablePositionalOptions();
  k6ExitCodes(command);
  registerLoadtestMerge(command);
  registerLoadtestSuite(command);
}
