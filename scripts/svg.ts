/**
 * Tiny SVG plotting helpers for the HTML report: a scatter plot (with an optional y = x line) and
 * a line chart (optionally log-scaled in x and/or y, for axes whose range spans decades). They
 * return SVG markup as strings — no DOM, no dependencies — with "nice" ticks and escaped labels.
 * A line chart's legend sits in its own column right of the plotting area, so it never covers
 * data. Enough for a report, not a plotting library.
 */

export interface Point {
  x: number;
  y: number;
}

export interface Series {
  name: string;
  points: Point[];
  color?: string;
}

interface Frame {
  width: number;
  height: number;
  title: string;
  xLabel: string;
  yLabel: string;
  /** Space right of the plotting area (a legend column); MARGIN.right when absent. */
  right?: number;
}

const MARGIN = { left: 64, right: 16, top: 32, bottom: 46 };
const PALETTE = ['#1f77b4', '#d62728', '#2ca02c', '#ff7f0e', '#9467bd', '#8c564b', '#e377c2', '#17becf'];

interface Tick {
  value: number;
  label: string;
}

/** Ticks for a log₁₀ axis whose transformed range is [low, high]: the powers of ten, labelled 1, 10, 100, 1e3 …. */
function logTicks(low: number, high: number, power: (e: number) => string): Tick[] {
  const ticks = niceTicks(low, high).filter((t) => Number.isInteger(t));
  return (ticks.length > 0 ? ticks : [Math.round((low + high) / 2)]).map((value) => ({ value, label: power(value) }));
}

/** Escapes text for SVG/HTML content and attributes. */
export function escapeXml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

/** Up to about `count` round tick values covering [low, high]. */
export function niceTicks(low: number, high: number, count = 5): number[] {
  if (!(high > low)) return [low];
  const raw = (high - low) / count;
  const magnitude = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 2.5, 5, 10].map((m) => m * magnitude).find((s) => s >= raw) ?? 10 * magnitude;
  const ticks: number[] = [];
  for (let t = Math.ceil(low / step) * step; t <= high + step * 1e-9; t += step)
    ticks.push(Math.abs(t) < step * 1e-9 ? 0 : t);
  return ticks;
}

function formatTick(value: number): string {
  if (value === 0) return '0';
  const a = Math.abs(value);
  return a >= 1e4 || a < 1e-3 ? value.toExponential(0) : Number(value.toPrecision(3)).toString();
}

function extent(values: number[]): [number, number] {
  let low = Math.min(...values);
  let high = Math.max(...values);
  if (!Number.isFinite(low) || !Number.isFinite(high)) return [0, 1];
  if (low === high) {
    low -= Math.abs(low) * 0.1 + 1e-12;
    high += Math.abs(high) * 0.1 + 1e-12;
  }
  const pad = (high - low) * 0.05;
  return [low - pad, high + pad];
}

/** Axes, ticks, labels and title around a plotting area; returns the markup and the scales. */
function axes(frame: Frame, xRange: [number, number], yRange: [number, number], yTicks: Tick[], xTicks?: Tick[]) {
  const { width, height } = frame;
  const plotW = width - MARGIN.left - (frame.right ?? MARGIN.right);
  const plotH = height - MARGIN.top - MARGIN.bottom;
  const sx = (x: number) => MARGIN.left + ((x - xRange[0]) / (xRange[1] - xRange[0])) * plotW;
  const sy = (y: number) => MARGIN.top + plotH - ((y - yRange[0]) / (yRange[1] - yRange[0])) * plotH;
  const parts: string[] = [];
  parts.push(
    `<rect x="${MARGIN.left}" y="${MARGIN.top}" width="${plotW}" height="${plotH}" fill="#fff" stroke="#999"/>`,
  );
  for (const { value, label } of xTicks ??
    niceTicks(xRange[0], xRange[1]).map((value) => ({ value, label: formatTick(value) }))) {
    const x = sx(value).toFixed(1);
    parts.push(`<line x1="${x}" x2="${x}" y1="${MARGIN.top}" y2="${MARGIN.top + plotH}" stroke="#eee"/>`);
    parts.push(`<text x="${x}" y="${MARGIN.top + plotH + 16}" text-anchor="middle" font-size="11">${label}</text>`);
  }
  for (const { value, label } of yTicks) {
    const y = sy(value).toFixed(1);
    parts.push(`<line x1="${MARGIN.left}" x2="${MARGIN.left + plotW}" y1="${y}" y2="${y}" stroke="#eee"/>`);
    parts.push(
      `<text x="${MARGIN.left - 6}" y="${y}" text-anchor="end" dominant-baseline="middle" font-size="11">${label}</text>`,
    );
  }
  parts.push(
    `<text x="${MARGIN.left + plotW / 2}" y="${height - 8}" text-anchor="middle" font-size="12">${escapeXml(frame.xLabel)}</text>`,
  );
  parts.push(
    `<text x="14" y="${MARGIN.top + plotH / 2}" text-anchor="middle" font-size="12" transform="rotate(-90 14 ${MARGIN.top + plotH / 2})">${escapeXml(frame.yLabel)}</text>`,
  );
  parts.push(
    `<text x="${MARGIN.left + plotW / 2}" y="18" text-anchor="middle" font-size="13" font-weight="bold">${escapeXml(frame.title)}</text>`,
  );
  return { parts, sx, sy, plotW, plotH };
}

function svg(frame: Frame, body: string[], className: string): string {
  return `<svg xmlns="http://www.w3.org/2000/svg" class="${className}" width="${frame.width}" height="${frame.height}" viewBox="0 0 ${frame.width} ${frame.height}" role="img" aria-label="${escapeXml(frame.title)}">${body.join('')}</svg>`;
}

/**
 * A scatter plot. With `diagonal`, draws the line y = x (for predicted-vs-actual plots).
 * @example scatterPlot(points, { title: 'CG', xLabel: 'actual', yLabel: 'predicted', diagonal: true });
 */
export function scatterPlot(
  points: Point[],
  options: {
    title: string;
    xLabel: string;
    yLabel: string;
    diagonal?: boolean;
    width?: number;
    height?: number;
    note?: string;
  },
): string {
  const frame: Frame = {
    width: options.width ?? 360,
    height: options.height ?? 320,
    title: options.title,
    xLabel: options.xLabel,
    yLabel: options.yLabel,
  };
  const finite = points.filter((p) => Number.isFinite(p.x) && Number.isFinite(p.y));
  let xRange = extent(finite.map((p) => p.x));
  let yRange = extent(finite.map((p) => p.y));
  if (options.diagonal === true) {
    const both = extent([...finite.map((p) => p.x), ...finite.map((p) => p.y)]);
    xRange = both;
    yRange = both;
  }
  const yTicks = niceTicks(yRange[0], yRange[1]).map((value) => ({ value, label: formatTick(value) }));
  const { parts, sx, sy } = axes(frame, xRange, yRange, yTicks);
  if (options.diagonal === true) {
    parts.push(
      `<line x1="${sx(xRange[0]).toFixed(1)}" y1="${sy(xRange[0]).toFixed(1)}" x2="${sx(xRange[1]).toFixed(1)}" y2="${sy(xRange[1]).toFixed(1)}" stroke="#aaa" stroke-dasharray="4 3"/>`,
    );
  }
  for (const p of finite)
    parts.push(
      `<circle cx="${sx(p.x).toFixed(1)}" cy="${sy(p.y).toFixed(1)}" r="2.2" fill="#1f77b4" fill-opacity="0.6"/>`,
    );
  if (options.note !== undefined)
    parts.push(`<text x="${MARGIN.left + 8}" y="${MARGIN.top + 16}" font-size="12">${escapeXml(options.note)}</text>`);
  return svg(frame, parts, 'scatter');
}

/**
 * A line chart of several series, with a legend in a column of its own right of the plot.
 * `logY` plots log₁₀ y (non-positive values dropped); `logX` plots log₁₀ x (x ≤ 0 dropped) —
 * use it for iteration counts when one series runs 20 iterations and another 1000.
 * @example lineChart([{ name: 'CG', points }], { title: 'convergence', xLabel: 'iteration', yLabel: 'residual', logX: true, logY: true });
 */
export function lineChart(
  series: Series[],
  options: {
    title: string;
    xLabel: string;
    yLabel: string;
    logX?: boolean;
    logY?: boolean;
    width?: number;
    height?: number;
    yRange?: [number, number];
  },
): string {
  const named = series.filter((s) => s.points.length > 0);
  // About 6.5 px per character at font-size 11, plus the sample line and padding.
  const legendWidth = 40 + Math.ceil(6.5 * Math.max(0, ...named.map((s) => s.name.length)));
  const right = legendWidth + 16;
  const frame: Frame = {
    width: (options.width ?? 560) + legendWidth,
    height: options.height ?? 340,
    title: options.title,
    xLabel: options.xLabel,
    yLabel: options.yLabel,
    right,
  };
  const logX = options.logX === true;
  const logY = options.logY === true;
  const usable = series.map((s, k) => ({
    ...s,
    color: s.color ?? PALETTE[k % PALETTE.length]!,
    points: s.points
      .filter((p) => Number.isFinite(p.x) && Number.isFinite(p.y) && (!logX || p.x > 0) && (!logY || p.y > 0))
      .map((p) => ({ x: logX ? Math.log10(p.x) : p.x, y: logY ? Math.log10(p.y) : p.y })),
  }));
  const all = usable.flatMap((s) => s.points);
  const xRange = extent(all.map((p) => p.x));
  const yRange = options.yRange ?? extent(all.map((p) => p.y));
  const yTicks = logY
    ? logTicks(yRange[0], yRange[1], (e) => `1e${e}`)
    : niceTicks(yRange[0], yRange[1]).map((value) => ({ value, label: formatTick(value) }));
  const xTicks = logX ? logTicks(xRange[0], xRange[1], (e) => formatTick(10 ** e)) : undefined;
  const { parts, sx, sy, plotW } = axes(frame, xRange, yRange, yTicks, xTicks);
  const legendX = MARGIN.left + plotW + 10;
  const shown = usable.filter((s) => s.points.length > 0);
  if (shown.length > 0)
    parts.push(
      `<rect x="${legendX}" y="${MARGIN.top}" width="${legendWidth}" height="${15 * shown.length + 6}" fill="#fff" stroke="#ddd"/>`,
    );
  shown.forEach((s, k) => {
    const path = s.points.map((p, i) => `${i === 0 ? 'M' : 'L'}${sx(p.x).toFixed(1)},${sy(p.y).toFixed(1)}`).join('');
    parts.push(`<path d="${path}" fill="none" stroke="${s.color}" stroke-width="1.6"/>`);
    if (s.points.length <= 30)
      for (const p of s.points)
        parts.push(`<circle cx="${sx(p.x).toFixed(1)}" cy="${sy(p.y).toFixed(1)}" r="2.5" fill="${s.color}"/>`);
    const ly = MARGIN.top + 10 + 15 * k;
    const lx = legendX + 6;
    parts.push(`<line x1="${lx}" x2="${lx + 18}" y1="${ly}" y2="${ly}" stroke="${s.color}" stroke-width="2"/>`);
    parts.push(`<text x="${lx + 24}" y="${ly}" dominant-baseline="middle" font-size="11">${escapeXml(s.name)}</text>`);
  });
  return svg(frame, parts, 'line-chart');
}
