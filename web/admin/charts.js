import uPlot from './vendor/uPlot.esm.js';

// Time-series charts over a sliding window, appended to once a second from the summary stream.
const WINDOW_SEC = 10 * 60;
const COLORS = ['#58a6ff', '#d29922', '#f85149', '#3fb950', '#bc8cff'];

export class LiveChart {
  constructor(element, seriesNames, { unit = '', yMin } = {}) {
    this.element = element;
    this.data = [[], ...seriesNames.map(() => [])];
    const fmt = (v) => (v == null ? '–' : `${round(v)}${unit}`);
    const opts = {
      width: Math.max(300, element.clientWidth || 400),
      height: 180,
      series: [
        {},
        ...seriesNames.map((label, i) => ({
          label,
          stroke: COLORS[i % COLORS.length],
          width: 1.5,
          value: (_u, v) => fmt(v),
          spanGaps: true,
        })),
      ],
      axes: [
        { stroke: '#8593a3', grid: { stroke: '#2a3542' }, ticks: { stroke: '#2a3542' } },
        {
          stroke: '#8593a3',
          grid: { stroke: '#2a3542' },
          ticks: { stroke: '#2a3542' },
          size: 70,
          values: (_u, ticks) => ticks.map((t) => `${round(t)}${unit}`),
        },
      ],
      scales: {
        x: { time: true },
        y: yMin === undefined ? {} : { range: (_u, _min, max) => [yMin, Math.max(max, yMin + 1)] },
      },
      cursor: { drag: { x: false, y: false } },
    };
    this.plot = new uPlot(opts, this.data, element);
    new ResizeObserver(() => this.plot.setSize({ width: Math.max(300, element.clientWidth), height: 180 })).observe(
      element,
    );
  }

  /** Adds one point per series at `t` (ms); older points slide out of the window. */
  push(t, values) {
    const sec = t / 1000;
    const xs = this.data[0];
    if (xs.length && sec <= xs[xs.length - 1]) return;
    xs.push(sec);
    values.forEach((v, i) => this.data[i + 1].push(v ?? null));
    while (xs.length && xs[0] < sec - WINDOW_SEC) this.data.forEach((s) => s.shift());
    this.plot.setData(this.data);
    this.element.dataset.points = String(xs.length);
  }

  get points() {
    return this.data[0].length;
  }
}

function round(v) {
  if (Math.abs(v) >= 100) return Math.round(v);
  if (Math.abs(v) >= 10) return Math.round(v * 10) / 10;
  return Math.round(v * 100) / 100;
}
