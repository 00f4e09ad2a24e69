/**
 * Reports are built from data a run recorded (experiment and optimizer names, error messages, data
 * notes, host names, paths): every string of results.json and the run directory's own name is poisoned
 * with markup, and the report must keep exactly the structure of the clean report. And report.html
 * must load nothing from the network.
 */
import { mkdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { writeJsonAtomic } from '../../src/results/io.js';
import type { RunResults } from '../../src/results/schema.js';
import { writeReport, type ReportFiles } from '../../src/report/index.js';
import { makeResults } from '../fixtures/results/makeResults.js';
import { tempDirs } from './helpers.js';

const dirs = tempDirs('reports');
afterAll(() => dirs.cleanup());

/** Closes a script, opens tags and handlers, breaks out of an attribute, starts Markdown blocks, links and code. */
const PAYLOAD = `</script><script>alert(1)</script><img src=x onerror=alert(2)>" onmouseover="alert(3)' \n# injected | cell ![x](javascript:alert(4)) \`code\` <!-- &amp;`;
/** What a directory name can hold of it (no '/'). */
const DIR_PAYLOAD = `<img src=x onerror=alert(5)>"'&amp;`;

/** Fields the report interprets rather than prints: poisoning them would change what is drawn, not test escaping. */
const INTERPRETED = new Set(['status', 'impl', 'startedAt', 'finishedAt']);

/** Free-form maps whose keys are printed too (the schema's own keys keep their names: the report looks them up). */
const FREE_FORM_PARENTS = new Set(['data', 'hyperparameters', 'versions']);

function poisoned<T>(value: T, key = ''): T {
  if (typeof value === 'string') return (INTERPRETED.has(key) ? value : `${value}${PAYLOAD}`) as T;
  if (Array.isArray(value)) return value.map((item) => poisoned(item, key)) as T;
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [FREE_FORM_PARENTS.has(key) ? `${k}${PAYLOAD}` : k, poisoned(v, k)])) as T;
  }
  return value;
}

function sampleRun(): RunResults {
  const results = makeResults([
    { optimizer: 'adam' },
    { optimizer: 'sgd' },
    { optimizer: 'rmsprop', status: 'failed', reason: 'OutputWriteError: could not write units/rmsprop.json' },
  ]);
  results.settings.data = { dataset: 'Boston housing', origin: '/data/boston_housing.npz', parse: { rowsRead: 506, dropped: { missingFields: 0 } } };
  results.referenceLines = [{ name: 'naive baseline', description: 'T(+24 h) = T(now)', valLoss: 0.9 }];
  results.environment.hostname = 'build-host';
  results.runs[0].hyperparameters = { learningRate: 0.001, schedule: 'constant' };
  return results;
}

async function reportOf(root: string, runDirName: string, results: RunResults): Promise<{ files: ReportFiles; html: string; markdown: string; index: string }> {
  const runDir = path.join(root, 'runs', runDirName);
  await mkdir(runDir, { recursive: true });
  await writeJsonAtomic(path.join(runDir, 'results.json'), results);
  // No claims: the claim set is looked up by experiment name, which the hostile run changes.
  const files = await writeReport(runDir, { reportsRoot: root, claims: [] });
  const read = (file: string) => readFile(file, 'utf8');
  return { files, html: await read(files.html), markdown: await read(files.markdown), index: await read(files.index) };
}

/** How many of each element a page has: markup injected through data would change these counts. */
function tagCounts(html: string): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const match of html.matchAll(/<\/?([a-zA-Z][a-zA-Z0-9-]*)|<!--/g)) {
    const tag = match[1]?.toLowerCase() ?? 'comment';
    counts[tag] = (counts[tag] ?? 0) + 1;
  }
  return counts;
}

/** The Markdown's block structure: one entry per line, its kind (heading, list item, table row with its cell count, ...). */
function markdownShape(markdown: string): string[] {
  return markdown.split('\n').map((line) => {
    if (/^#{1,6} /.test(line)) return `heading ${line.match(/^#+/)![0].length}`;
    if (line.startsWith('|')) return `row of ${line.split(/(?<!\\)\|/).length - 2} cells`;
    if (line.startsWith('- ')) return 'item';
    if (line.startsWith('![')) return 'image';
    return line === '' ? 'blank' : 'text';
  });
}

describe('text from results.json and the run directory in the reports', () => {
  it('keeps the structure of the clean report when every string and the directory name carry markup', async () => {
    const clean = await reportOf(dirs.make(), 'run-1', sampleRun());
    const hostile = await reportOf(dirs.make(), `run-1${DIR_PAYLOAD}`, poisoned(sampleRun()));

    // The payload did reach the reports (as text)...
    expect(hostile.html).toContain('&lt;img src=x onerror=alert(2)&gt;');
    expect(hostile.markdown).toContain('\\<img src=x onerror=alert(2)\\>');
    expect(hostile.index).toContain('run-1&lt;img src=x onerror=alert(5)&gt;');
    // ...and added no element, attribute break, Markdown block, table cell or link.
    expect(tagCounts(hostile.html)).toEqual(tagCounts(clean.html));
    expect(tagCounts(hostile.index)).toEqual(tagCounts(clean.index));
    for (const page of [hostile.html, hostile.index]) {
      expect(page).not.toContain('" onmouseover="'); // a quote that would end an attribute
      expect(page).not.toContain('<img src=x');
    }
    expect(markdownShape(hostile.markdown)).toEqual(markdownShape(clean.markdown));
    expect(hostile.markdown).not.toMatch(/(?<!\\)\]\(javascript:/);
    expect(hostile.markdown).not.toMatch(/(?<!\\)<(script|img|!--)/);
    // The run's link in the index points at its directory, percent-encoded.
    expect(hostile.index).toContain(`href="runs/${encodeURIComponent(`run-1${DIR_PAYLOAD}`).replaceAll('&', '&amp;').replaceAll("'", '&#39;')}/report.html"`);
  });
});

describe('report.html loads nothing from the network', () => {
  it('has no external URL in any attribute, style or chart spec, and no chart reads data from a URL', async () => {
    const { html, index } = await reportOf(dirs.make(), 'run-1', sampleRun());
    for (const page of [html, index]) {
      // Attributes that make a browser fetch: src, href, srcset, poster, data, action, formaction, xlink:href.
      const fetchingAttributes = [...page.matchAll(/\s(src|href|srcset|poster|data|action|formaction|xlink:href)\s*=\s*["']?([^"'\s>]*)/gi)].map((m) => m[2]);
      expect(fetchingAttributes.filter((url) => /^(https?:)?\/\//i.test(url))).toEqual([]);
      // CSS that fetches.
      expect(page).not.toMatch(/@import|url\(\s*["']?(https?:)?\/\//i);
      // Elements that load or embed remote content.
      expect(page).not.toMatch(/<(iframe|object|embed|link|base|meta[^>]+http-equiv=["']?refresh)\b/i);
      // Every script is inline.
      expect(page).not.toMatch(/<script[^>]*\ssrc=/i);
    }
    const specs = JSON.parse(/<script type="application\/json" id="chart-specs">(.*?)<\/script>/s.exec(html)![1]) as Record<string, unknown>;
    // A Vega(-Lite) spec fetches through `url` (data, images) or `$ref`; `$schema` only names the grammar version.
    const urlKeys: string[] = [];
    const walk = (value: unknown, where: string) => {
      if (!value || typeof value !== 'object') return;
      for (const [key, child] of Object.entries(value)) {
        if (key === 'url' || key === '$ref') urlKeys.push(`${where}.${key}`);
        walk(child, `${where}.${key}`);
      }
    };
    walk(specs, 'specs');
    expect(Object.keys(specs).length).toBeGreaterThan(0);
    expect(urlKeys).toEqual([]);
  });
});
