interface Advice {
  id: string;
  severity: 'info' | 'warn';
  change: string;
  why: string;
}

/**
 * `tessera doctor --tune --url URL`: asks a running server for its cache tuning advice (GET /v1/admin/cache/advice,
 * with an admin token or the metrics token) and prints it. Exit 0 with no warnings, 1 with some, 2 when it cannot ask.
 */
export async function runTune(url: string, token: string | undefined): Promise<number> {
  let response: Response;
  const endpoint = new URL('/v1/admin/cache/advice', url);
  try {
    response = await fetch(endpoint, { headers: token ? { authorization: `Bearer ${token}` } : {} });
  } catch (error) {
    console.error(`tessera doctor: cannot reach ${endpoint.origin}: ${(error as Error).message}`);
    return 2;
  }
  const body = (await response.json().catch(() => ({}))) as {
    advice?: Advice[];
    error?: { code: string; message: string };
  };
  if (!response.ok || !body.advice) {
    const hint =
      response.status === 401 || response.status === 403 ? ' (--token: an admin token or METRICS_TOKEN)' : '';
    console.error(
      `tessera doctor: ${endpoint.pathname} answered ${response.status} ${body.error?.code ?? ''}${hint}`.trim(),
    );
    return 2;
  }
  if (body.advice.length === 0) console.log('ok    cache  nothing to tune: hit rates, memory and warming look right');
  for (const a of body.advice)
    console.log(`${a.severity === 'warn' ? 'warn' : 'info'}  ${a.id}  ${a.change}\n      why: ${a.why}`);
  const warnings = body.advice.filter((a) => a.severity === 'warn').length;
  console.log(`\n${warnings} warning(s), ${body.advice.length - warnings} suggestion(s)`);
  return warnings > 0 ? 1 : 0;
}
