/**
 * The one-way architecture of docs/architecture.md, enforced: every import in src/ and experiments/ runs
 * along the doc's table of allowed imports, the table itself has no loop, and no files import each other
 * in a cycle. The table is read from the doc, so it is written once.
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { cycles, importGraph, importSpecifiers, sourceFiles } from './helpers/importGraph.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const CHECKED = ['src', 'experiments'];

/** The doc's table: folder → folders it may import. */
function allowedImports(markdown: string): Map<string, string[]> {
  const header = markdown.indexOf('| folder | may import |');
  if (header < 0) throw new Error('docs/architecture.md has no "| folder | may import |" table');
  const rows = markdown.slice(header).split('\n').slice(2);
  const table = new Map<string, string[]>();
  for (const row of rows) {
    if (!row.startsWith('|')) break;
    const [folder, imports] = row.split('|').slice(1, 3).map((cell) => [...cell.matchAll(/`([^`]+)`/g)].map((m) => m[1]));
    table.set(folder[0], imports);
  }
  return table;
}

/** The folder a file belongs to: `src/<name>` or a top-level folder such as `experiments`. */
function folderOf(file: string): string {
  const parts = file.split('/');
  return parts[0] === 'src' ? `${parts[0]}/${parts[1]}` : parts[0];
}

const table = allowedImports(readFileSync(path.join(ROOT, 'docs/architecture.md'), 'utf8'));
const files = sourceFiles(ROOT, CHECKED);
const graph = importGraph(ROOT, files);

describe('the import parser', () => {
  it('finds static, type-only, re-exported, side-effect and dynamic imports and worker entry URLs', () => {
    const source = [
      "import { a, type B } from './a.js';",
      'import type {',
      '  C,',
      '  D,',
      "} from '../c.js';",
      "import * as tf from '@tensorflow/tfjs-core';",
      "import '@tensorflow/tfjs-layers';",
      "export { e } from './e.js';",
      "export * from './f.js';",
      "const g = await import('./g.js');",
      "const entry = new URL('./worker.ts', import.meta.url);",
      "import def, { h } from './h.js';",
    ].join('\n');
    expect(importSpecifiers(source).sort()).toEqual(
      ['../c.js', './a.js', './e.js', './f.js', './g.js', './h.js', './worker.ts', '@tensorflow/tfjs-core', '@tensorflow/tfjs-layers'].sort(),
    );
  });

  it('ignores imports inside comments, but not comment markers inside strings', () => {
    const source = [
      "// import { x } from './line-comment.js';",
      "/* import { y } from './block-comment.js'; */",
      '/**',
      " * import { z } from './doc-comment.js';",
      ' */',
      "const url = 'http://example.org'; import { w } from './after-a-string.js';",
    ].join('\n');
    expect(importSpecifiers(source)).toEqual(['./after-a-string.js']);
  });

  it('finds the cycles of a graph, and none in a chain', () => {
    const cyclic = new Map([['a', ['b']], ['b', ['c']], ['c', ['a']], ['d', ['a']], ['e', ['e']]]);
    expect(cycles(cyclic)).toEqual(expect.arrayContaining([['a', 'b', 'c'], ['e']]));
    expect(cycles(cyclic)).toHaveLength(2);
    expect(cycles(new Map([['a', ['b']], ['b', ['c']], ['c', []]]))).toEqual([]);
  });

  it('resolves every relative import of src/ and experiments/ to a file that exists', () => {
    const missing = [...graph].flatMap(([file, targets]) => targets.filter((t) => t.endsWith('.ts') && !files.includes(t)).map((t) => `${file} → ${t}`));
    expect(missing).toEqual([]);
    expect(graph.get('src/train/runExperiment.ts')).toContain('src/train/workers.ts');
  });
});

describe('the architecture of docs/architecture.md', () => {
  it('lists every folder of src/ and experiments/', () => {
    const folders = [...readdirSync(path.join(ROOT, 'src'), { withFileTypes: true }).filter((d) => d.isDirectory()).map((d) => `src/${d.name}`), 'experiments'];
    expect(folders.filter((folder) => !table.has(folder))).toEqual([]);
    for (const [folder, imports] of table) expect(imports.filter((i) => !table.has(i)), `${folder}'s row`).toEqual([]);
  });

  it('has no loop between folders (the allowed imports run one way)', () => {
    expect(cycles(table)).toEqual([]);
  });

  it('is followed by every import between folders', () => {
    const violations: string[] = [];
    for (const [file, targets] of graph) {
      for (const target of targets) {
        const [from, to] = [folderOf(file), folderOf(target)];
        if (from !== to && !(table.get(from) ?? []).includes(to)) violations.push(`${file} imports ${target}: ${from} may not import ${to}`);
      }
    }
    expect(violations).toEqual([]);
  });

  it('has no files that import each other in a cycle', () => {
    expect(cycles(graph)).toEqual([]);
  });
});

describe('sources', () => {
  it('cite the study through docs/study.md, never files outside the repository or machine paths', () => {
    const outside = /\bSTUDY\.md\b|\bseeds\/\d|(^|[\s'"`(])\/(work|home|Users|tmp)\//m;
    const offenders = files.filter((file) => outside.test(readFileSync(path.join(ROOT, file), 'utf8')));
    expect(offenders).toEqual([]);
  });
});
