/**
 * The import graph of the repository's TypeScript, for tests/architecture.test.ts. A small hand parser:
 * the compiler (TypeScript 7) has no JavaScript API to ask, and the lexers on npm parse JavaScript, not
 * type imports. It reads every static import and re-export (`import type` included), side-effect import,
 * dynamic `import('…')` with a literal, and `new URL('…', import.meta.url)` (how workers name their entry
 * module), after removing comments so an import quoted in a comment does not count.
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';

/** Source text without comments; string and template contents are kept (imports are string literals). */
export function withoutComments(source: string): string {
  let out = '';
  for (let i = 0; i < source.length; i++) {
    const c = source[i];
    if (c === '/' && source[i + 1] === '/') {
      while (i < source.length && source[i] !== '\n') i++;
      out += '\n';
    } else if (c === '/' && source[i + 1] === '*') {
      const end = source.indexOf('*/', i + 2);
      i = end < 0 ? source.length : end + 1;
      out += ' ';
    } else if (c === "'" || c === '"' || c === '`') {
      let j = i + 1;
      while (j < source.length && source[j] !== c) j += source[j] === '\\' ? 2 : 1;
      out += source.slice(i, j + 1);
      i = j;
    } else {
      out += c;
    }
  }
  return out;
}

const SPECIFIERS = [
  /\bimport\s+(?:type\s+)?[\w*{}\s,$]*?\s*from\s*(['"])([^'"]+)\1/g,
  /\bexport\s+(?:type\s+)?(?:\*(?:\s+as\s+\w+)?|\{[^}]*\})\s*from\s*(['"])([^'"]+)\1/g,
  /\bimport\s*(['"])([^'"]+)\1/g,
  /\bimport\s*\(\s*(['"])([^'"]+)\1\s*\)/g,
  /\bnew\s+URL\s*\(\s*(['"])([^'"]+)\1\s*,\s*import\.meta\.url\s*\)/g,
];

/** Every module specifier `source` imports, in no particular order, without duplicates. */
export function importSpecifiers(source: string): string[] {
  const code = withoutComments(source);
  const found = new Set<string>();
  for (const pattern of SPECIFIERS) for (const match of code.matchAll(pattern)) found.add(match[2]);
  return [...found];
}

/** Every .ts file under `dirs` (relative to `root`), as root-relative paths with forward slashes. */
export function sourceFiles(root: string, dirs: string[]): string[] {
  const files: string[] = [];
  const walk = (dir: string) => {
    for (const entry of readdirSync(path.join(root, dir), { withFileTypes: true })) {
      const relative = `${dir}/${entry.name}`;
      if (entry.isDirectory()) walk(relative);
      else if (entry.name.endsWith('.ts') && !entry.name.endsWith('.d.ts')) files.push(relative);
    }
  };
  for (const dir of dirs) walk(dir);
  return files.sort();
}

/**
 * file → the project modules it imports, root-relative. Packages and node: builtins are left out, and so
 * are relative URLs that name no module (e.g. `new URL('../../data/cache', import.meta.url)`, a directory).
 */
export function importGraph(root: string, files: string[]): Map<string, string[]> {
  const graph = new Map<string, string[]>();
  for (const file of files) {
    const targets = importSpecifiers(readFileSync(path.join(root, file), 'utf8'))
      .filter((specifier) => specifier.startsWith('.') && /\.[jt]s$/.test(specifier))
      .map((specifier) => path.posix.normalize(path.posix.join(path.posix.dirname(file), specifier)).replace(/\.js$/, '.ts'));
    graph.set(file, targets);
  }
  return graph;
}

/** The cycles of a directed graph: each strongly connected component of more than one node (or a self-loop). */
export function cycles(graph: Map<string, string[]>): string[][] {
  // Tarjan's algorithm.
  let index = 0;
  const indices = new Map<string, number>();
  const lowlinks = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const components: string[][] = [];
  const visit = (node: string) => {
    indices.set(node, index);
    lowlinks.set(node, index);
    index++;
    stack.push(node);
    onStack.add(node);
    for (const next of graph.get(node) ?? []) {
      if (!indices.has(next)) {
        visit(next);
        lowlinks.set(node, Math.min(lowlinks.get(node)!, lowlinks.get(next)!));
      } else if (onStack.has(next)) {
        lowlinks.set(node, Math.min(lowlinks.get(node)!, indices.get(next)!));
      }
    }
    if (lowlinks.get(node) === indices.get(node)) {
      const component: string[] = [];
      let member: string;
      do {
        member = stack.pop()!;
        onStack.delete(member);
        component.push(member);
      } while (member !== node);
      if (component.length > 1 || (graph.get(node) ?? []).includes(node)) components.push(component.sort());
    }
  };
  for (const node of graph.keys()) if (!indices.has(node)) visit(node);
  return components;
}
