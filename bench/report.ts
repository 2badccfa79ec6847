/**
 * Issue 16's figures, each with its target and met/missed, from whatever sections ran; the
 * history file (`bench/history.jsonl`, committed: one line per `npm run bench`, date, commit,
 * machine load, figures) so a regression shows; and `--chart`'s SVGs into docs/bench/.
 */
import { execFileSync } from 'node:child_process';
import { appendFileSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { formatTable } from './measure';

export interface Figure {
  /** Stable key in the history file. */
  key: string;
  label: string;
  value: number;
  unit: string;
  /** `min`: value ≥ target; `max`: value ≤ target. */
  target?: { kind: 'min' | 'max'; value: number };
  met?: boolean;
  note?: string;
}

export function figure(key: string, label: string, value: number, unit: string, target?: Figure['target'], note?: string): Figure {
  const met = target ? (target.kind === 'min' ? value >= target.value : value <= target.value) : undefined;
  return { key, label, value, unit, ...(target ? { target, met } : {}), ...(note ? { note } : {}) };
}

function show(value: number, unit: string): string {
  if (unit === '%') return `${(value * 100).toFixed(1)} %`;
  if (unit === 'x') return `${value.toFixed(2)}×`;
  const digits = Math.abs(value) >= 100 ? 0 : Math.abs(value) >= 10 ? 1 : 2;
  return `${value.toFixed(digits)} ${unit}`;
}

export function figuresTable(figures: Figure[]): string {
  return formatTable(
    ['figure', 'measured', 'target', ''],
    figures.map((f) => [
      f.label,
      show(f.value, f.unit),
      f.target ? `${f.target.kind === 'min' ? '≥' : '≤'} ${show(f.target.value, f.unit)}` : '',
      f.met === undefined ? (f.note ?? '') : `${f.met ? 'met' : 'MISSED'}${f.note ? ` (${f.note})` : ''}`,
    ]),
  );
}

export interface HistoryEntry {
  date: string;
  commit: string;
  /** 1-minute load average when the run ended, and the core count: this machine is shared. */
  load: number;
  cores: number;
  sections: string[];
  figures: Record<string, number>;
  /**
   * The notification curve, when that section ran: [in flight, ours/s (the host's thread),
   * baseline/s, instances/s] (the fourth since session 22: two instances until session 23, then
   * `instances`).
   */
  curve?: Array<[number, number, number] | [number, number, number, number]>;
  /** Worker-thread instances behind the curve's fourth value (absent: two, as session 22 ran them). */
  instances?: number;
}

export const HISTORY_FILE = join(__dirname, 'history.jsonl');

export function currentCommit(): string {
  try {
    const sha = execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: __dirname, encoding: 'utf8' }).trim();
    // What the bench writes itself (its history, its charts) does not make the code measured dirty:
    // a second run after a first one measured the same code.
    const dirty = execFileSync('git', ['status', '--porcelain', '--', ':/', ':(top,exclude)bench/history.jsonl', ':(top,exclude)docs/bench'], { cwd: __dirname, encoding: 'utf8' }).trim() !== '';
    return dirty ? `${sha}+dirty` : sha;
  } catch {
    return 'unknown';
  }
}

export function appendHistory(entry: HistoryEntry): void {
  appendFileSync(HISTORY_FILE, JSON.stringify(entry) + '\n');
}

export function readHistory(): HistoryEntry[] {
  if (!existsSync(HISTORY_FILE)) return [];
  return readFileSync(HISTORY_FILE, 'utf8')
    .split('\n')
    .filter((line) => line.trim())
    .map((line) => JSON.parse(line) as HistoryEntry);
}

export const CHART_DIR = join(__dirname, '../docs/bench');

/** "payNotify in a worker-thread instance (HOST_INSTANCES=1)": the chart's and the figures' name for the instances' configuration. */
export function instancesLabel(count: number): string {
  return `payNotify in ${count === 1 ? 'a worker-thread instance' : `${count} worker-thread instances`} (HOST_INSTANCES=${count})`;
}

/** Writes docs/bench/notifications.svg (latest curve) and docs/bench/history.svg; returns the files. */
export function writeCharts(history: HistoryEntry[], dir: string = CHART_DIR): string[] {
  mkdirSync(dir, { recursive: true });
  const written: string[] = [];
  const withCurve = [...history].reverse().find((h) => h.curve && h.curve.length > 0);
  if (withCurve) {
    const file = join(dir, 'notifications.svg');
    const xs = withCurve.curve!.map((p) => String(p[0]));
    writeFileSync(
      file,
      lineChart({
        title: `Verified notifications/s by requests in flight (${withCurve.date.slice(0, 16)}Z, ${withCurve.commit}, load ${withCurve.load.toFixed(1)} on ${withCurve.cores} cores)`,
        xLabels: xs,
        yLabel: 'notifications / s',
        series: [
          { name: "payNotify on the host's thread (npm start)", color: '#1f77b4', values: withCurve.curve!.map((p) => p[1]) },
          ...(withCurve.curve!.every((p) => p[3] !== undefined)
            ? [{ name: instancesLabel(withCurve.instances ?? 2), color: '#2ca02c', values: withCurve.curve!.map((p) => p[3]!) }]
            : []),
          { name: 'hand-written baseline receiver', color: '#ff7f0e', values: withCurve.curve!.map((p) => p[2]) },
        ],
        target: { value: 3000, label: 'target 3,000/s' },
      }),
    );
    written.push(file);
  }
  if (history.length > 0) {
    const file = join(dir, 'history.svg');
    const keys: Array<[string, string, string]> = [
      ['notify.perSecond', 'best notifications/s', '#1f77b4'],
      ['notify.baselinePerSecond', 'baseline notifications/s', '#ff7f0e'],
      ['e2e.createToPaidWarmMedianMs', 'create → PAID median ms ×100, after warm-up', '#2ca02c'],
      ['e2e.createToPaidMedianMs', 'create → PAID median ms ×100, first payments after start', '#9467bd'],
    ];
    writeFileSync(
      file,
      lineChart({
        title: 'npm run bench history (each point one run; the machine is shared, see load)',
        xLabels: history.map((h) => `${h.date.slice(5, 10)} ${h.commit.slice(0, 7)}`),
        yLabel: '',
        series: keys.map(([key, name, color]) => ({
          name,
          color,
          values: history.map((h) => (h.figures[key] === undefined ? NaN : key.endsWith('Ms') ? h.figures[key]! * 100 : h.figures[key]!)),
        })),
      }),
    );
    written.push(file);
  }
  return written;
}

interface ChartSpec {
  title: string;
  xLabels: string[];
  yLabel: string;
  series: Array<{ name: string; color: string; values: number[] }>;
  target?: { value: number; label: string };
}

/** A small dependency-free SVG line chart. */
function lineChart(spec: ChartSpec): string {
  const W = 760, H = 380, left = 70, right = 20, top = 40, bottom = 70;
  const plotW = W - left - right, plotH = H - top - bottom;
  const all = spec.series.flatMap((s) => s.values).filter(Number.isFinite);
  const yMax = niceCeil(Math.max(1, ...all, spec.target?.value ?? 0));
  const n = spec.xLabels.length;
  const x = (i: number) => left + (n === 1 ? plotW / 2 : (i * plotW) / (n - 1));
  const y = (v: number) => top + plotH - (v / yMax) * plotH;
  const esc = (t: string) => t.replace(/&/g, '&amp;').replace(/</g, '&lt;');
  const parts: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" font-family="sans-serif" font-size="11">`,
    `<rect width="${W}" height="${H}" fill="white"/>`,
    `<text x="${W / 2}" y="20" text-anchor="middle" font-size="13">${esc(spec.title)}</text>`,
  ];
  for (let k = 0; k <= 5; k++) {
    const v = (yMax * k) / 5;
    parts.push(`<line x1="${left}" x2="${W - right}" y1="${y(v)}" y2="${y(v)}" stroke="#ddd"/>`, `<text x="${left - 6}" y="${y(v) + 4}" text-anchor="end">${Math.round(v)}</text>`);
  }
  spec.xLabels.forEach((label, i) => parts.push(`<text x="${x(i)}" y="${top + plotH + 16}" text-anchor="middle">${esc(label)}</text>`));
  if (spec.yLabel) parts.push(`<text x="14" y="${top + plotH / 2}" transform="rotate(-90 14 ${top + plotH / 2})" text-anchor="middle">${esc(spec.yLabel)}</text>`);
  if (spec.target) {
    parts.push(`<line x1="${left}" x2="${W - right}" y1="${y(spec.target.value)}" y2="${y(spec.target.value)}" stroke="#d62728" stroke-dasharray="6 4"/>`, `<text x="${W - right - 4}" y="${y(spec.target.value) - 4}" text-anchor="end" fill="#d62728">${esc(spec.target.label)}</text>`);
  }
  spec.series.forEach((s, si) => {
    const points = s.values.map((v, i) => (Number.isFinite(v) ? `${x(i).toFixed(1)},${y(v).toFixed(1)}` : '')).filter(Boolean);
    if (points.length > 1) parts.push(`<polyline fill="none" stroke="${s.color}" stroke-width="2" points="${points.join(' ')}"/>`);
    s.values.forEach((v, i) => Number.isFinite(v) && parts.push(`<circle cx="${x(i).toFixed(1)}" cy="${y(v).toFixed(1)}" r="3" fill="${s.color}"/>`));
    const ly = H - 40 + si * 14;
    parts.push(`<rect x="${left}" y="${ly - 8}" width="12" height="3" fill="${s.color}"/>`, `<text x="${left + 18}" y="${ly - 4}">${esc(s.name)}</text>`);
  });
  parts.push('</svg>');
  return parts.join('\n') + '\n';
}

function niceCeil(v: number): number {
  const p = 10 ** Math.floor(Math.log10(v));
  for (const m of [1, 2, 2.5, 5, 10]) if (m * p >= v) return m * p;
  return 10 * p;
}

export function machineLoad(): number {
  return loadavg()[0] ?? 0;
}
