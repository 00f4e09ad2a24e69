/**
 * report.html in a real browser (Debian's Chromium, see .ci/run.d/chromium.sh): charts draw, tooltips
 * work, nothing is fetched from the network, nothing logs an error or a warning, hostile labels stay text.
 */
import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { formatNumber } from '../../src/common/numbers.js';
import { writeReport } from '../../src/report/index.js';
import { writeReportsIndex } from '../../src/report/indexPage.js';
import { ACROSS_FILES } from '../../src/report/acrossExperiments.js';
import { SURFACES } from '../../experiments/costSurfaces.js';
import { SERIES_LINES } from '../../src/report/specs.js';
import { makeResults, writeRun } from '../fixtures/results/makeResults.js';
import { bostonLike, surfacesLike } from '../fixtures/results/sampleRuns.js';
import { launchChromium, openReport } from './browserHarness.js';

const BROWSER_TIMEOUT = 90_000;

interface ChartDom {
  id: string;
  lines: number;
  legendLabels: string[];
  svg: boolean;
}

let browser: Browser;
let root: string;

beforeAll(async () => {
  browser = await launchChromium();
  root = await mkdtemp(path.join(tmpdir(), 'optbench-browser-'));
}, BROWSER_TIMEOUT);

afterAll(async () => {
  await browser?.close();
});

async function chartsOf(file: string, viewport?: { width: number; height: number }) {
  const opened = await openReport(browser, file, viewport);
  const charts = await opened.page.evaluate(
    (linesClass) =>
      [...document.querySelectorAll<HTMLElement>('[data-chart]')].map((el) => ({
        id: el.dataset.chart ?? '',
        svg: el.querySelector('svg') !== null,
        lines: el.querySelectorAll(`g.${linesClass}`).length,
        legendLabels: [...el.querySelectorAll('.role-legend-label text')].map((t) => t.textContent ?? ''),
      })),
    `${SERIES_LINES}_marks`,
  );
  return { ...opened, charts: charts as ChartDom[] };
}

describe('report.html in Chromium', () => {
  it('draws every chart of a run where one optimizer diverged, says so, and fetches nothing', async () => {
    const { html } = await writeReport(await writeRun(root, bostonLike()));
    const { page, charts, requests, consoleErrors } = await chartsOf(html);
    try {
      expect(requests).toEqual([pathToFileURL(html).href]);
      expect(consoleErrors).toEqual([]);
      expect(charts.map((c) => c.id)).toEqual(['loss', 'val-loss', 'final-metric', 'epoch-time']);
      expect(charts.every((c) => c.svg)).toBe(true);
      const legend = ['Adadelta', 'Adagrad', 'Adam (builtin)', 'Adam (scratch)', 'Adamax', 'Ftrl — diverged', 'Nadam', 'RMSprop', 'SGD'];
      for (const id of ['loss', 'val-loss']) {
        const chart = charts.find((c) => c.id === id)!;
        expect(chart.lines).toBe(8); // the 8 series that ran ok; Ftrl is listed, not drawn
        expect(chart.legendLabels).toEqual(legend);
      }
      const bars = await page.locator('[data-chart="final-metric"] .mark-rect path').count();
      expect(bars).toBe(8);
      await expect(page.locator('[data-chart="final-metric"]').textContent()).resolves.toContain('diverged');
      const ftrlRow = await page.locator('tr', { hasText: 'Ftrl' }).first().textContent();
      expect(ftrlRow).toContain('diverged in 3 of 3 seeds');
    } finally {
      await page.close();
    }
  }, BROWSER_TIMEOUT);

  it('draws the view across experiments, linked from the index, without a warning', async () => {
    const across = await mkdtemp(path.join(tmpdir(), 'optbench-browser-across-'));
    const units = (end: number) => [{ optimizer: 'adam', end }, { optimizer: 'nadam', end }, { optimizer: 'sgd', end: end * 3 }, { optimizer: 'adadelta', end: end * 4 }];
    await writeRun(across, makeResults(units(0.3), { experiment: 'boston', runId: 'b' }));
    await writeRun(across, makeResults(units(0.5), { experiment: 'fashion', runId: 'f' }));
    const index = await writeReportsIndex(across);
    const { page, charts, requests, consoleErrors } = await chartsOf(path.join(across, ACROSS_FILES.html));
    try {
      expect(consoleErrors).toEqual([]);
      expect(requests).toEqual([pathToFileURL(path.join(across, ACROSS_FILES.html)).href]);
      expect(charts.map((c) => [c.id, c.svg])).toEqual([['performance-profile-quick', true]]);
      // Adam and Nadam coincide: both strands are drawn, and named together at their end.
      expect(await page.locator('[data-chart="performance-profile-quick"] .mark-line path').count()).toBe(4);
      await expect(page.locator('[data-chart="performance-profile-quick"]').textContent()).resolves.toContain('Adam, Nadam');
      expect(await page.locator('a', { hasText: 'All runs' }).getAttribute('href')).toBe('../index.html');
    } finally {
      await page.close();
    }
    expect(await readFile(index, 'utf8')).toContain('<a href="across/report.html">');
  }, BROWSER_TIMEOUT);

  it('shows a tooltip with the values when hovering a point', async () => {
    const { html } = await writeReport(await writeRun(root, bostonLike()));
    const { page } = await chartsOf(html);
    try {
      const point = page.locator('[data-chart="loss"] .mark-symbol path').first();
      await point.hover({ force: true });
      const tooltip = page.locator('#vg-tooltip-element');
      await tooltip.waitFor({ state: 'visible', timeout: 10_000 });
      const text = await tooltip.textContent();
      expect(text).toContain('optimizer');
      expect(text).toContain('epoch');
    } finally {
      await page.close();
    }
  }, BROWSER_TIMEOUT);

  it('formats axis numbers and tooltips with the report helper, and puts the answer and scorecard before the metadata', async () => {
    const results = makeResults([{ optimizer: 'adam', loss: [3e-6, 4e-7, 2e-8] }, { optimizer: 'sgd', loss: [4e-6, 2e-6, 5e-7] }]);
    const { html } = await writeReport(await writeRun(root, results));
    const { page, consoleErrors } = await chartsOf(html);
    try {
      expect(consoleErrors).toEqual([]);
      const labels = await page.locator('[data-chart="loss"] .role-axis-label text').allTextContents();
      const small = labels.filter((label) => label.includes('e-'));
      expect(small.length).toBeGreaterThan(0);
      for (const label of small) expect(label).toBe(formatNumber(Number(label)));
      expect(labels.filter((label) => label.startsWith('0.0000'))).toEqual([]);
      await expect(page.locator('[data-chart="loss"] .mark-text.role-mark text').allTextContents()).resolves.toEqual(['Adam', 'SGD']); // end labels
      await page.locator('[data-chart="loss"] .mark-symbol path').first().hover({ force: true });
      const tooltip = page.locator('#vg-tooltip-element');
      await tooltip.waitFor({ state: 'visible', timeout: 10_000 });
      await expect(tooltip.textContent()).resolves.toMatch(/\d(\.\d+)?e-\d/);
      const headings = await page.locator('h2').allTextContents();
      expect(headings).toEqual(['Findings scorecard', 'Results', 'Charts', 'What ran', 'Optimizer conventions']);
      await expect(page.locator('p.headline').textContent()).resolves.toMatch(/^Lowest final validation loss: Adam \(/);
    } finally {
      await page.close();
    }
  }, BROWSER_TIMEOUT);

  it('draws the surfaces chart with one trajectory per optimizer that ran ok', async () => {
    const { html } = await writeReport(await writeRun(root, surfacesLike()), { surfaces: SURFACES });
    const { page, charts, requests, consoleErrors } = await chartsOf(html);
    try {
      expect(requests).toEqual([pathToFileURL(html).href]);
      expect(consoleErrors).toEqual([]);
      expect(charts).toHaveLength(1);
      expect(charts[0].lines).toBe(3);
      expect(charts[0].legendLabels).toEqual(['Adam', 'RMSprop', 'SGD', 'SGD + momentum — diverged']);
    } finally {
      await page.close();
    }
  }, BROWSER_TIMEOUT);

  it('keeps hostile labels as text: no script runs, the label is shown literally', async () => {
    const hostile = '<img src=x onerror=alert(1)><script>alert(2)</script>';
    const results = makeResults([{ optimizer: hostile }, { optimizer: 'adam' }], { title: hostile, runId: '2024-06-01T00-00-00Z-evil' });
    const { html } = await writeReport(await writeRun(root, results));
    const { page, charts, requests, consoleErrors, dialogs } = await chartsOf(html);
    try {
      expect(dialogs).toEqual([]);
      expect(requests).toEqual([pathToFileURL(html).href]);
      expect(consoleErrors).toEqual([]);
      await expect(page.locator('h1').textContent()).resolves.toBe(hostile);
      expect(charts.find((c) => c.id === 'loss')?.legendLabels).toEqual([hostile, 'Adam']);
    } finally {
      await page.close();
    }
  }, BROWSER_TIMEOUT);

  it('fits a phone screen: no horizontal scrolling of the page', async () => {
    const { html } = await writeReport(await writeRun(root, bostonLike()));
    const { page, charts } = await chartsOf(html, { width: 390, height: 844 });
    try {
      expect(charts.every((c) => c.svg)).toBe(true);
      const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
      expect(overflow).toBe(0);
    } finally {
      await page.close();
    }
  }, BROWSER_TIMEOUT);
});
