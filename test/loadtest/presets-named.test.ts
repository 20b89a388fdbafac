import { describe, expect, it } from 'vitest';
import { buildRunConfig } from '../../src/loadtest/options.js';
import { NAMED_PRESETS } from '../../src/loadtest/named-presets.js';
import { listPresets } from '../../src/loadtest/service/presets.js';

describe('named presets (--preset NAME)', () => {
  it('high-concurrency: 50 users at about 500 requests/s (open model, 50 cache iterations/s, 50 VUs at most)', async () => {
    const errors: string[] = [];
    const config = await buildRunConfig({ preset: 'high-concurrency' }, errors);
    expect(errors).toEqual([]);
    expect(config!.plan).toMatchObject({
      scenario: { kind: 'builtin', name: 'cache' },
      model: 'open',
      start: 50,
      maxVus: 50,
    });
    expect(config!.plan.stages).toEqual([{ durationMs: 60_000, target: 50 }]);
  });

  it('flags beside --preset win; the attack presets set their clients', async () => {
    const errors: string[] = [];
    const short = await buildRunConfig({ preset: 'extreme-load', duration: '5s', rate: '10' }, errors);
    expect(short!.plan).toMatchObject({ model: 'open', start: 10 });
    expect(short!.plan.stages[0].durationMs).toBe(5000);
    const bots = await buildRunConfig({ preset: 'bot-attack' }, errors);
    expect(bots!.plan.attack).toMatchObject({ clients: 100, legit: 10 });
    expect(bots!.plan.stages[0].durationMs).toBe(120_000);
    expect(errors).toEqual([]);
  });

  it('an unknown preset is a configuration error naming the known ones', async () => {
    const errors: string[] = [];
    expect(await buildRunConfig({ preset: 'nope' }, errors)).toBeUndefined();
    expect(errors[0]).toMatch(/--preset "nope" is unknown \(known: basic-cache-load, high-concurrency, write-heavy/);
  });

  it('the server offers the same list, each with a body its POST /v1/admin/loadtests accepts', () => {
    const listed = listPresets({ selfUrl: 'http://127.0.0.1:1/', allowHosts: [], attacksOnSelf: { allowed: true } });
    const ids = listed.presets.map((p) => p.id);
    for (const p of NAMED_PRESETS) expect(ids).toContain(p.name);
    expect(listed.presets.find((p) => p.id === 'write-heavy')).toMatchObject({
      body: { scenario: 'write-heavy', vus: 20, duration: '1m' },
      model: 'closed',
    });
  });
});
