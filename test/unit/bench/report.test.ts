/**
 * The bench's bookkeeping (issue 16): figures judged against their targets, the history file and
 * the charts drawn from it. No timing here — the figures are made up; `npm run bench` measures.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { figure, figuresTable, writeCharts, type HistoryEntry } from '../../../bench/report';
import { blockMedians } from '../../../bench/create-to-paid';

describe('bench report', () => {
  it('judges a figure against a minimum or a maximum target, and says MISSED', () => {
    expect(figure('a', 'rate', 3100, '/s', { kind: 'min', value: 3000 }).met).toBe(true);
    expect(figure('a', 'rate', 2900, '/s', { kind: 'min', value: 3000 }).met).toBe(false);
    expect(figure('b', 'latency', 8, 'ms', { kind: 'max', value: 8 }).met).toBe(true);
    expect(figure('b', 'latency', 8.1, 'ms', { kind: 'max', value: 8 }).met).toBe(false);
    expect(figure('c', 'informational', 1, 'ms').met).toBeUndefined();
    const table = figuresTable([figure('a', 'rate', 2900, '/s', { kind: 'min', value: 3000 }), figure('r', 'ratio', 0.87, '%', { kind: 'min', value: 0.85 })]);
    expect(table).toMatch(/rate\s+2900 \/s\s+≥ 3000 \/s\s+MISSED/);
    expect(table).toMatch(/ratio\s+87\.0 %\s+≥ 85\.0 %\s+met/);
  });

  it('gives the median of each full block of create → PAID samples, in the order paid', () => {
    expect(blockMedians([9, 1, 5, 7, 3, 2, 4], 3)).toEqual([5, 3]); // [1,5,9] → 5, [2,3,7] → 3; the last, partial block is left out
    expect(blockMedians([1, 2], 3)).toEqual([]);
  });

  it('draws the latest notification curve and the history as SVG', () => {
    const dir = mkdtempSync(join(tmpdir(), 'bench-chart-'));
    try {
      const history: HistoryEntry[] = [
        { date: '2026-12-01T10:00:00.000Z', commit: 'aaaaaaa', load: 4, cores: 2, sections: ['notify'], figures: { 'notify.perSecond': 800 }, curve: [[1, 300, 400], [8, 800, 900]] },
        { date: '2026-12-01T11:00:00.000Z', commit: 'bbbbbbb', load: 6, cores: 2, sections: ['notify', 'e2e'], figures: { 'notify.perSecond': 1200, 'e2e.createToPaidMedianMs': 9 }, curve: [[1, 350, 420], [8, 1200, 1300], [32, 1250, 1400]] },
      ];
      const files = writeCharts(history, dir);
      expect(files.map((f) => f.replace(dir, ''))).toEqual(['/notifications.svg', '/history.svg']);
      const curve = readFileSync(files[0]!, 'utf8');
      expect(curve).toMatch(/^<svg /);
      expect(curve).toContain('bbbbbbb'); // the latest run's curve, not the first
      expect(curve.match(/<polyline /g)).toHaveLength(2); // payNotify and the baseline
      expect(readFileSync(files[1]!, 'utf8')).toContain('aaaaaaa');
      // create → PAID: the first payments after start and the steady state after warm-up, each a line.
      const latency = writeCharts([...history, { ...history[1]!, commit: 'ddddddd', figures: { 'e2e.createToPaidMedianMs': 12, 'e2e.createToPaidWarmMedianMs': 6 } }], dir);
      const drawnHistory = readFileSync(latency[1]!, 'utf8');
      expect(drawnHistory).toContain('after warm-up');
      expect(drawnHistory).toContain('first payments after start');
      expect(drawnHistory).toContain('cy="'); // points drawn
      // A run that recorded the two-instance configuration too draws it as a third line.
      const withInstances = writeCharts([...history, { ...history[1]!, commit: 'ccccccc', curve: [[1, 350, 420, 300], [8, 1200, 1300, 1250]] }], dir);
      const drawn = readFileSync(withInstances[0]!, 'utf8');
      expect(drawn.match(/<polyline /g)).toHaveLength(3);
      expect(drawn).toContain('HOST_INSTANCES=2'); // a run before the count was recorded: two
      const withOne = writeCharts([...history, { ...history[1]!, commit: 'eeeeeee', instances: 1, curve: [[1, 350, 420, 300], [8, 1200, 1300, 1250]] }], dir);
      expect(readFileSync(withOne[0]!, 'utf8')).toContain('a worker-thread instance (HOST_INSTANCES=1)');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
