import fs from 'node:fs';
import path from 'node:path';

/**
 * The arrows of the architecture, checked on the source: no file-level import cycle, and no import that
 * runs back up (README "Folder map"). Import specifiers are read with a regex, no parser needed.
 */
const root = path.resolve(__dirname, '..');
const SKIP = new Set(['node_modules', '.data', '.git', 'dist', 'coverage', 'test-artifacts', 'web']);

/** What each folder may import of ours (besides itself); a folder not listed here may import anything. */
const ALLOWED: Record<string, { value: string[]; typeOnly?: string[] }> = {
  api: { value: ['cases', 'db', 'settlement', 'config'] },
  activities: { value: ['cases', 'db', 'settlement', 'config'] },
  workflows: { value: ['cases', 'settlement'], typeOnly: ['activities'] },
  db: { value: ['cases', 'settlement', 'config'] },
  // The message contracts name the settlement core's result types (setlinfo, setldetail).
  cases: { value: [], typeOnly: ['settlement'] },
  settlement: { value: [] },
  config: { value: [] },
  devserver: { value: [] },
};
/** Packages that deterministic workflow code and the pure vocabulary may use. */
const PURE_PACKAGES: Record<string, string[]> = {
  workflows: ['@temporalio/workflow'],
  cases: ['@temporalio/workflow'],
};

interface Import {
  from: string;
  spec: string;
  typeOnly: boolean;
}

function sourceFiles(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    if (e.name.startsWith('.') || SKIP.has(e.name)) return [];
    const full = path.join(dir, e.name);
    if (e.isDirectory()) return sourceFiles(full);
    return e.name.endsWith('.ts') && !e.name.endsWith('.d.ts') ? [full] : [];
  });
}

const STATIC = /^\s*(import|export)\s+(type\s+)?(?:[^'";]*?\s+from\s+)?['"]([^'"]+)['"]/gm;
const DYNAMIC = /\bimport\(\s*['"]([^'"]+)['"]\s*\)|\brequire\(\s*['"]([^'"]+)['"]\s*\)/g;

function importsOf(file: string, text: string): Import[] {
  const code = text.replace(/\/\*[\s\S]*?\*\//g, '').replace(/^\s*\/\/.*$/gm, '');
  const found: Import[] = [];
  for (const m of code.matchAll(STATIC)) {
    // `import { type A, type B } from` is type-only as well: every named binding is a type.
    const names = /\{([^}]*)\}/.exec(m[0])?.[1];
    const allTypes =
      names !== undefined &&
      names.trim() !== '' &&
      names
        .split(',')
        .map((n) => n.trim())
        .filter(Boolean)
        .every((n) => n.startsWith('type '));
    found.push({ from: file, spec: m[3] as string, typeOnly: Boolean(m[2]) || allTypes });
  }
  for (const m of code.matchAll(DYNAMIC))
    found.push({ from: file, spec: (m[1] ?? m[2]) as string, typeOnly: false });
  return found;
}

function resolve(from: string, spec: string): string | null {
  const base = path.resolve(path.dirname(from), spec);
  for (const c of [`${base}.ts`, path.join(base, 'index.ts')]) if (fs.existsSync(c)) return c;
  return null;
}

const folderOf = (file: string) => path.relative(root, file).split(path.sep)[0] as string;
const rel = (file: string) => path.relative(root, file);

const files = sourceFiles(root).filter((f) => !['test', 'bench'].includes(folderOf(f)));
const imports = files.flatMap((f) => importsOf(f, fs.readFileSync(f, 'utf8')));

test('the import reader sees static, type-only, multi-line and dynamic imports', () => {
  const found = importsOf(
    '/x/a.ts',
    "import type { A } from './a';\nimport {\n  type B,\n  type C,\n} from './b';\nimport { d } from './d';\nexport * from './e';\nconst f = require('./f');\n// import { g } from './g';\n",
  );
  expect(found.map((i) => [i.spec, i.typeOnly])).toEqual([
    ['./a', true],
    ['./b', true],
    ['./d', false],
    ['./e', false],
    ['./f', false],
  ]);
});

test('no arrow runs back up: each folder imports only the folders below it', () => {
  const wrong: string[] = [];
  for (const i of imports) {
    const from = folderOf(i.from);
    const rule = ALLOWED[from];
    if (!rule) continue;
    if (!i.spec.startsWith('.')) {
      const pure = PURE_PACKAGES[from];
      const pkg = i.spec.startsWith('@') ? i.spec.split('/').slice(0, 2).join('/') : i.spec.split('/')[0];
      if (pure && !i.typeOnly && !pure.includes(pkg as string)) wrong.push(`${rel(i.from)} → ${i.spec}`);
      continue;
    }
    const target = resolve(i.from, i.spec);
    if (!target) continue;
    const to = folderOf(target);
    if (to === from || rule.value.includes(to)) continue;
    if (i.typeOnly && rule.typeOnly?.includes(to)) continue;
    wrong.push(`${rel(i.from)} → ${rel(target)}${i.typeOnly ? ' (type)' : ''}`);
  }
  expect(wrong).toEqual([]);
});

test('no file-level import cycle', () => {
  const graph = new Map<string, string[]>();
  for (const i of imports) {
    if (i.typeOnly || !i.spec.startsWith('.')) continue;
    const target = resolve(i.from, i.spec);
    if (target) graph.set(i.from, [...(graph.get(i.from) ?? []), target]);
  }
  const cycles: string[] = [];
  const state = new Map<string, 'visiting' | 'done'>();
  const stack: string[] = [];
  const visit = (f: string) => {
    state.set(f, 'visiting');
    stack.push(f);
    for (const t of graph.get(f) ?? []) {
      if (state.get(t) === 'visiting')
        cycles.push([...stack.slice(stack.indexOf(t)), t].map(rel).join(' → '));
      else if (!state.has(t)) visit(t);
    }
    stack.pop();
    state.set(f, 'done');
  };
  for (const f of graph.keys()) if (!state.has(f)) visit(f);
  expect(cycles).toEqual([]);
});
