import { CONFIG_FIELDS } from '../../config/index.js';
import { figuresColumns, figuresRow } from '../report.js';
import type { BenchSettings, SuiteResult } from '../types.js';
import type { Suite } from './types.js';
import { figuresByName, measureVariants, type Variant } from './variants.js';

/** A layer on the hot path that configuration can turn off. Adding a layer to the bench is one entry here. */
export interface Layer {
  name: string;
  env: string;
  on: string;
  off: string;
}

export const LAYERS: Layer[] = [
  { name: 'debug headers', env: 'DEBUG_HEADERS', on: 'true', off: 'false' },
  { name: 'observability', env: 'METRICS_ENABLED', on: 'true', off: 'false' },
  { name: 'protection', env: 'PROTECTION_ENABLED', on: 'true', off: 'false' },
];

const configurable = (layer: Layer): boolean => Object.values(CONFIG_FIELDS).some((field) => field.env === layer.env);
const pct = (value: number): number => Math.round(value * 1000) / 10;

export const layersSuite: Suite = {
  name: 'layers',
  description: 'the hot path with each optional layer turned off in turn, all on, all off — the cost of each layer',
  async run(settings: BenchSettings): Promise<SuiteResult> {
    const layers = LAYERS.filter(configurable);
    const missing = LAYERS.filter((l) => !configurable(l)).map(
      (l) => `layer "${l.name}": no ${l.env} setting in this build`,
    );
    const env = (off?: Layer) =>
      Object.fromEntries(layers.map((l) => [l.env, l === off || off === ALL ? l.off : l.on]));
    const variants: Variant[] = [
      { name: 'all layers on', spec: { kind: 'tessera', env: env() } },
      ...layers.map((layer): Variant => ({ name: `${layer.name} off`, spec: { kind: 'tessera', env: env(layer) } })),
      // With a single layer, "all off" is that layer's own row.
      ...(layers.length > 1
        ? [{ name: 'all layers off', spec: { kind: 'tessera', env: env(ALL) } } satisfies Variant]
        : []),
      { name: 'node:http', spec: (first) => ({ kind: 'bare-http', response: first.info.captured! }) },
    ];
    const { figures } = await measureVariants(variants, settings);
    const by = figuresByName(figures);
    const allOn = by.get('all layers on')!.reqPerSec;
    const allOnCpu = by.get('all layers on')!.cpuMicrosPerRequest ?? 0;
    const cost = (without: number): number => pct(1 - allOn / without);
    // The same cost in server CPU per request: steadier than req/s on a shared machine.
    const cpuCost = (withoutCpu: number | undefined): number | null =>
      allOnCpu > 0 && withoutCpu ? pct(1 - withoutCpu / allOnCpu) : null;
    const rows = figures.map((f) => {
      const measured = layers.some((l) => f.name === `${l.name} off`) || f.name === 'all layers off';
      return {
        ...figuresRow(f, by.get('node:http')!),
        cost: measured ? cost(f.reqPerSec) : null,
        cpuCost: measured ? cpuCost(f.cpuMicrosPerRequest) : null,
      };
    });
    const costs = Object.fromEntries(layers.map((l) => [l.name, cost(by.get(`${l.name} off`)!.reqPerSec)]));
    const cpuCosts = Object.fromEntries(
      layers.map((l) => [l.name, cpuCost(by.get(`${l.name} off`)!.cpuMicrosPerRequest)]),
    );
    return {
      suite: 'layers',
      title: 'Layers: hot-path throughput with each layer off (cost = share of throughput the layer takes)',
      columns: [...figuresColumns('÷ node:http'), ['cost', 'cost % (req/s)'], ['cpuCost', 'cost % (CPU)']],
      rows,
      summary: {
        costPercent: costs,
        cpuCostPercent: cpuCosts,
        allLayersCostPercent: cost((by.get('all layers off') ?? by.get(`${layers[0].name} off`))!.reqPerSec),
        layers: layers.map((l) => l.env),
        targets: figures,
      },
      notes: [
        'cost % (req/s) = 1 − (req/s with all layers on ÷ req/s with that layer off)',
        "cost % (CPU) = 1 − (CPU µs/req with that layer off ÷ CPU µs/req with all layers on): the share of the hot path's CPU the layer takes",
        'negative = within the noise of the machine',
      ],
      skipped: missing,
    };
  },
};

const ALL: Layer = { name: 'all', env: '', on: '', off: '' };
