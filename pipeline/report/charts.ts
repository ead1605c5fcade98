/**
 * Chart geometry for the reports: plain numbers and short labels that the `chart.hbs` partial turns into
 * inline SVG (escaped like every other value). A chart's size never depends on the number of rows.
 */

export interface Series {
  name: string;
  /** CSS class: ref, cur, prev. */
  cls: string;
  values: number[];
}

export interface ChartModel {
  title: string;
  width: number;
  height: number;
  /** Bars (one rect per series per category) or lines (one path per series). */
  bars: { x: number; y: number; w: number; h: number; cls: string; label: string }[];
  lines: { d: string; cls: string }[];
  points: { x: number; y: number; cls: string; label: string }[];
  xLabels: { x: number; y: number; text: string }[];
  yLabels: { x: number; y: number; text: string }[];
  grid: { y: number }[];
  legend: { x: number; y: number; cls: string; text: string }[];
  note: string;
}

const WIDTH = 640;
const HEIGHT = 240;
const M = { left: 52, right: 30, top: 26, bottom: 40 };

const round = (v: number): number => Math.round(v * 10) / 10;

export function formatNumber(value: number, digits = 3): string {
  if (!Number.isFinite(value)) return String(value);
  if (value !== 0 && Math.abs(value) < 10 ** -digits) return value.toExponential(1);
  if (Math.abs(value) >= 1e6) return `${round(value / 1e6)}M`;
  if (Math.abs(value) >= 1e4) return `${round(value / 1e3)}k`;
  return String(Number(value.toFixed(digits)));
}

function niceMax(value: number): number {
  if (!(value > 0)) return 1;
  const exponent = Math.floor(Math.log10(value));
  const base = 10 ** exponent;
  for (const step of [1, 2, 2.5, 5, 10]) if (value <= step * base) return step * base;
  return 10 * base;
}

function frame(title: string, series: Series[], note: string): ChartModel {
  return {
    title,
    width: WIDTH,
    height: HEIGHT,
    bars: [],
    lines: [],
    points: [],
    xLabels: [],
    yLabels: [],
    grid: [],
    legend: series.map((s, i) => ({ x: M.left + i * 150, y: 14, cls: s.cls, text: s.name })),
    note,
  };
}

function yAxis(chart: ChartModel, max: number, format: (v: number) => string): void {
  const plotHeight = HEIGHT - M.top - M.bottom;
  for (let i = 0; i <= 4; i++) {
    const y = round(M.top + plotHeight - (plotHeight * i) / 4);
    chart.grid.push({ y });
    chart.yLabels.push({ x: M.left - 6, y: y + 4, text: format((max * i) / 4) });
  }
}

/**
 * Grouped bars: for each category, one bar per series (shares or counts). Used for overlaid histograms
 * (categories are bins) and category counts.
 */
export function barChart(
  title: string,
  categories: string[],
  series: Series[],
  options: { format?: (v: number) => string; note?: string; labelEvery?: number } = {},
): ChartModel {
  const format = options.format ?? ((v: number) => formatNumber(v));
  const chart = frame(title, series, options.note ?? '');
  const max = niceMax(Math.max(0, ...series.flatMap((s) => s.values.filter(Number.isFinite))));
  yAxis(chart, max, format);
  const plotWidth = WIDTH - M.left - M.right;
  const plotHeight = HEIGHT - M.top - M.bottom;
  const slot = plotWidth / Math.max(1, categories.length);
  const barWidth = (slot * 0.9) / Math.max(1, series.length);
  const every = options.labelEvery ?? Math.max(1, Math.ceil(categories.length / 10));
  categories.forEach((category, c) => {
    series.forEach((s, k) => {
      const value = s.values[c] ?? 0;
      const h = Number.isFinite(value) ? (plotHeight * value) / max : 0;
      chart.bars.push({
        x: round(M.left + c * slot + slot * 0.05 + k * barWidth),
        y: round(M.top + plotHeight - h),
        w: round(Math.max(barWidth, 0.5)),
        h: round(h),
        cls: s.cls,
        label: `${s.name}, ${category}: ${format(value)}`,
      });
    });
    if (c % every === 0)
      chart.xLabels.push({
        x: round(M.left + c * slot + slot / 2),
        y: HEIGHT - M.bottom + 16,
        text: category,
      });
  });
  return chart;
}

/** Lines over ordered categories (months): one path per series; missing values break nothing, they are skipped. */
export function lineChart(
  title: string,
  categories: string[],
  series: Series[],
  options: { format?: (v: number) => string; note?: string; max?: number } = {},
): ChartModel {
  const format = options.format ?? ((v: number) => formatNumber(v));
  const chart = frame(title, series, options.note ?? '');
  const max = options.max ?? niceMax(Math.max(0, ...series.flatMap((s) => s.values.filter(Number.isFinite))));
  yAxis(chart, max, format);
  const plotWidth = WIDTH - M.left - M.right;
  const plotHeight = HEIGHT - M.top - M.bottom;
  const x = (i: number) =>
    round(M.left + (categories.length <= 1 ? plotWidth / 2 : (plotWidth * i) / (categories.length - 1)));
  const y = (v: number) => round(M.top + plotHeight - (plotHeight * Math.min(v, max)) / max);
  for (const s of series) {
    const commands: string[] = [];
    s.values.forEach((v, i) => {
      if (!Number.isFinite(v)) return;
      commands.push(`${commands.length === 0 ? 'M' : 'L'}${x(i)},${y(v)}`);
      chart.points.push({ x: x(i), y: y(v), cls: s.cls, label: `${s.name}, ${categories[i]}: ${format(v)}` });
    });
    if (commands.length > 0) chart.lines.push({ d: commands.join(' '), cls: s.cls });
  }
  const every = Math.max(1, Math.ceil(categories.length / 8));
  categories.forEach((c, i) => {
    if (i % every === 0 || i === categories.length - 1)
      chart.xLabels.push({ x: x(i), y: HEIGHT - M.bottom + 16, text: c });
  });
  return chart;
}
