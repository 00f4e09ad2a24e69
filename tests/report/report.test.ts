import { existsSync } from 'node:fs';
import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Resvg } from '@resvg/resvg-js';
import { beforeAll, describe, expect, it } from 'vitest';
import type { Claim } from '../../src/claims/claim.js';
import { claims as bostonClaims } from '../../experiments/claims/boston.js';
import { writeReport, type ReportFiles } from '../../src/report/index.js';
import { svgToPng } from '../../src/report/render.js';
import { makeResults, writeRun } from '../fixtures/results/makeResults.js';
import type { RESULTS_SCHEMA_VERSION } from '../../src/results/schema.js';
import { bostonLike } from '../fixtures/results/sampleRuns.js';

const HOSTILE = '<script>alert(1)</script>';

const tempRoot = () => mkdtemp(path.join(tmpdir(), 'optbench-report-'));

/** Size of a PNG from its IHDR chunk. */
function pngSize(png: Buffer): { width: number; height: number } {
  expect(png.subarray(0, 8)).toEqual(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]));
  return { width: png.readUInt32BE(16), height: png.readUInt32BE(20) };
}

describe('writeReport on a Boston-like run (3 seeds, Ftrl diverged)', () => {
  let root: string;
  let files: ReportFiles;
  let markdown: string;

  beforeAll(async () => {
    root = await tempRoot();
    files = await writeReport(await writeRun(root, bostonLike()), { claims: bostonClaims });
    markdown = await readFile(files.markdown, 'utf8');
  });

  it('writes spec, SVG and PNG for every chart; PNGs at twice the SVG size', async () => {
    expect(files.charts.map((c) => c.id)).toEqual(['loss', 'val-loss', 'final-metric', 'epoch-time']);
    for (const chart of files.charts) {
      const svg = await readFile(chart.svg, 'utf8');
      const [, width, height] = svg.match(/<svg[^>]*width="(\d+)" height="(\d+)"/) ?? [];
      expect(pngSize(await readFile(chart.png))).toEqual({ width: 2 * Number(width), height: 2 * Number(height) });
      expect(JSON.parse(await readFile(chart.spec, 'utf8')).$schema).toContain('vega-lite/v6');
    }
  });

  it('links every chart PNG from report.md by a relative path that exists', () => {
    const links = [...markdown.matchAll(/!\[[^\]]*\]\(([^)]+)\)/g)].map((m) => m[1]);
    expect(links).toEqual(['loss.png', 'val-loss.png', 'final-metric.png', 'epoch-time.png']);
    for (const link of links) expect(existsSync(path.join(path.dirname(files.markdown), link))).toBe(true);
  });

  it('tells what ran: experiment, profile, backend and why, versions, CPU, seeds, conventions', () => {
    for (const fact of [
      '**Experiment:** Boston housing — dense regression (boston)',
      '**Profile:** quick: 20 epochs, batch size 16',
      '**Backend:** wasm — tfjs-node is not installed',
      '**Versions:** optbench 0.1.0, tfjs-core 4.22.0',
      '**Machine:** Test CPU @ 2.0GHz × 2 cores',
      '**Seeds:** 1, 2, 3',
      '| Adam (scratch) | scratch | keras-2 | learningRate=0.001 |',
    ]) {
      expect(markdown).toContain(fact);
    }
  });

  it('marks the best final values and says which optimizer diverged', () => {
    const row = (name: string) => markdown.split('\n').find((line) => line.startsWith(`| ${name} |`)) ?? '';
    // RMSprop's curve ends lowest in the fixture (2.4 train); its val loss is 1.12 × train + a small wobble.
    expect(row('RMSprop')).toMatch(/\| \*\*2\.4\d*\*\* ★ \| \*\*2\.6\d*\*\* ★ \|/);
    expect(row('Ftrl')).toContain('diverged in 3 of 3 seeds (seed 1): loss became Infinity at epoch 3 | — | — |');
    expect(row('Adam (builtin)')).not.toContain('★');
  });

  it('scores the claims it is handed (the boston experiment\'s)', () => {
    expect(markdown).toContain('## Findings scorecard');
    // Scored on the seed mean and on each of the fixture's three seeds.
    expect(markdown).toContain('| SGD is irregular, going back and forth as it converges. | ✓ reproduced — reproduced in 3 of 3 seeds |');
    // The fixture's 20 epochs are shorter than the 80 the claim needs: inconclusive, with what the run would show.
    expect(markdown).toMatch(/\| RMSprop is the best in absolute terms\. \| \? inconclusive: run too short — reproduced in 0 of 3 seeds, inconclusive in 3 \| Run too short: this run has 20 epochs \(needs 80\).*On this run the predicate reads reproduced/);
    // Ftrl diverged, so the claim about it cannot be judged.
    expect(markdown).toMatch(/\| Ftrl converges linearly, to a sub-optimal loss\. \| \? inconclusive — reproduced in 0 of 3 seeds, inconclusive in 3 \| Ftrl did not run ok/);
    // A quick-profile scorecard says it only indicates.
    expect(markdown).toMatch(/findings reproduced, .* inconclusive\. Indicative only: the quick profile/);
  });

  it('makes report.html self-contained: scripts inline, no external resources', async () => {
    const html = await readFile(files.html, 'utf8');
    expect(html).not.toMatch(/<script[^>]+src=/i);
    expect(html).not.toMatch(/<link[^>]+href=/i);
    expect(html).not.toMatch(/(src|href)="https?:/i);
    expect(html).toContain('<meta name="viewport" content="width=device-width, initial-scale=1">');
    expect(html).toContain('<a href="../../index.html">All runs</a>');
  });
});

describe('writeReport with hostile text in results.json', () => {
  it('escapes it everywhere: HTML, the embedded chart data, Markdown and the index', async () => {
    const root = await tempRoot();
    const results = makeResults([{ optimizer: HOSTILE }, { optimizer: 'adam' }], { title: `Title ${HOSTILE}`, profile: '"><img src=x onerror=alert(2)>' });
    const claim: Claim = { id: 'x', statement: HOSTILE, criterion: HOSTILE, optimizers: [], score: () => ({ verdict: 'reproduced', evidence: HOSTILE }) };
    const files = await writeReport(await writeRun(root, results), { claims: [claim] });
    const html = await readFile(files.html, 'utf8');
    expect(html).not.toContain(HOSTILE);
    expect(html).not.toContain('<img src=x');
    expect(html).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(html).toContain('\\u003cscript>alert(1)\\u003c/script>');
    const markdown = await readFile(files.markdown, 'utf8');
    expect(markdown).not.toContain(HOSTILE);
    expect(markdown).toContain('\\<script\\>alert(1)\\</script\\>');
    const index = await readFile(files.index, 'utf8');
    expect(index).not.toContain(HOSTILE);
    expect(index).toContain('Title &lt;script&gt;');
  });
});

describe('reports/index.html', () => {
  it('lists every run under the root newest first, with relative links, and notes unreadable ones', async () => {
    const root = await tempRoot();
    const older = await writeRun(root, makeResults([{ optimizer: 'adam' }], { runId: '2024-01-01T00-00-00Z-old', startedAt: '2024-01-01T00:00:00.000Z' }));
    await writeReport(older);
    const newer = makeResults([{ optimizer: 'sgd' }], { experiment: 'fashion', title: 'Fashion run', runId: '2024-02-01T00-00-00Z-new', startedAt: '2024-02-01T00:00:00.000Z' });
    await writeRun(root, newer);
    await writeRun(root, { ...makeResults([], { runId: '2023-01-01T00-00-00Z-future' }), schemaVersion: 99 as typeof RESULTS_SCHEMA_VERSION });
    const { index } = await writeReport(path.join(root, 'fashion', newer.runId));
    const html = await readFile(index, 'utf8');
    expect(index).toBe(path.join(root, 'index.html'));
    const newIndex = html.indexOf('Fashion run');
    const oldIndex = html.indexOf('2024-01-01T00:00:00.000Z');
    expect(newIndex).toBeGreaterThan(0);
    expect(oldIndex).toBeGreaterThan(newIndex);
    expect(html).toContain('<a href="fashion/2024-02-01T00-00-00Z-new/report.html">report</a>');
    expect(html).toContain('<a href="boston/2024-01-01T00-00-00Z-old/report.html">report</a>');
    expect(html).toMatch(/unreadable: .*schemaVersion 99/);
  });
});

/** Dark pixels of a PNG, decoded by letting resvg draw it as an image (no PNG decoder needed). */
function countDarkPixels(png: Buffer): number {
  const { width, height } = pngSize(png);
  const wrapper = `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}"><image width="${width}" height="${height}" href="data:image/png;base64,${png.toString('base64')}"/></svg>`;
  const { pixels } = new Resvg(wrapper).render();
  let dark = 0;
  for (let i = 0; i < pixels.length; i += 4) if (pixels[i + 3] > 0 && pixels[i] < 128) dark++;
  return dark;
}

describe('svgToPng', () => {
  it('renders text with the bundled font (without a font, resvg drops text silently)', () => {
    const text = '<svg xmlns="http://www.w3.org/2000/svg" width="120" height="40"><text x="5" y="28" font-family="sans-serif" font-size="24">Adam</text></svg>';
    const blank = '<svg xmlns="http://www.w3.org/2000/svg" width="120" height="40"></svg>';
    expect(countDarkPixels(svgToPng(text))).toBeGreaterThan(100);
    expect(countDarkPixels(svgToPng(blank))).toBe(0);
  });
});
