// The dependency rule of controller/: the folders stand on floors, and a file imports only from
// its own folder or from a lower floor. Folders that share a floor stand side by side and never
// import each other (the adapters on floor 7 implement the ports of model/ and are wired together
// only above them). Every relative import counts: `import … from`, `export … from`, a bare
// `import '…'`, `import('…')` and `require('…')`. A folder missing from the table fails the
// test too, so a new folder gets a floor on purpose. Inside a floor, files import one way too:
// no circle of imports (a type reference counts: a circle of types is a circle of meaning).
//
// Why a script and not dependency-cruiser: the rule is one ordered table; this reads it directly,
// needs no configuration language, and its classifier is tested below with a table of edges.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { readdirSync, readFileSync } from 'node:fs';
import { join, posix, relative, sep } from 'node:path';

/** Bottom to top. A name is a folder of controller/ (or a file directly in it). */
export const floors: readonly (readonly string[])[] = [
  ['model', 'output'], // 0 types and ports, the clock; text escaping and colour
  ['policy'], //          1 PURE rules
  ['manifest'], //        2 PURE text -> manifests and findings; status rewrite in place
  ['plan'], //            3 PURE desired x observed -> plan
  ['status'], //          4 PURE plan -> statuses, live view, fleet report
  ['log'], //             5 the logger
  ['state'], //           6 durable memory: state file, calendar file, durable writes
  ['fleet', 'sources', 'kube', 'notify', 'server'], // 7 adapters, side by side
  ['reconcile'], //       8 one reconcile through ports; the loop
  ['config'], //          9 flags and environment; wiring of the fleet connection
  ['run'], //            10 the controller process
  ['cli'], //            11 one file per command
  ['main.ts'], //        12 the command table
];

const floorIndex = new Map(floors.flatMap((names, floor) => names.map((name) => [name, floor] as const)));

/** The floor name of a path relative to controller/ (POSIX): its first segment. */
export function unitOf(path: string): string {
  return path.split('/')[0]!;
}

/**
 * Why the import `from -> to` (paths relative to controller/, POSIX) breaks the rule, or
 * undefined when it keeps it.
 */
export function violation(from: string, to: string): string | undefined {
  const a = unitOf(from);
  const b = unitOf(to);
  if (a === b) return undefined;
  const fa = floorIndex.get(a);
  const fb = floorIndex.get(b);
  if (fa === undefined) return `${a} is on no floor: add it to the table in test/structure/dependency-rule.test.ts`;
  if (fb === undefined) return `${b} is on no floor: add it to the table in test/structure/dependency-rule.test.ts`;
  if (fb > fa) return `upward: ${a} (floor ${fa}) imports ${b} (floor ${fb})`;
  if (fb === fa) return `sideways: ${a} and ${b} share floor ${fa} and must not import each other`;
  return undefined;
}

const patterns = [
  /^[ \t]*(?:import|export)\b[^'";]*?\bfrom\s*['"]([^'"]+)['"]/gm,
  /^[ \t]*import\s*['"]([^'"]+)['"]/gm,
  /\bimport\s*\(\s*['"]([^'"]+)['"]\s*\)/g,
  /\brequire\s*\(\s*['"]([^'"]+)['"]\s*\)/g,
];

/** The relative specifiers a source text imports, in every form listed in the file comment. */
export function importsOf(text: string): string[] {
  const out = new Set<string>();
  for (const pattern of patterns) for (const m of text.matchAll(pattern)) if (m[1]!.startsWith('.')) out.add(m[1]!);
  return [...out].sort();
}

const root = new URL('../../controller/', import.meta.url).pathname;

function sourceFiles(dir: string): string[] {
  const out: string[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) out.push(...sourceFiles(path));
    else if (/\.(?:ts|mts|js|mjs|cjs)$/.test(entry.name)) out.push(path);
  }
  return out.sort();
}

const toPosix = (path: string) => path.split(sep).join('/');

/** Every `file -> target` edge between files of controller/ (POSIX paths relative to it). */
export function importGraph(): Map<string, string[]> {
  const graph = new Map<string, string[]>();
  for (const file of sourceFiles(root)) {
    const from = toPosix(relative(root, file));
    const targets = importsOf(readFileSync(file, 'utf8'))
      .map((specifier) => posix.normalize(posix.join(posix.dirname(from), specifier)))
      .filter((to) => !to.startsWith('../')); // outside controller/ (package.json, schemas): not a floor
    graph.set(from, targets);
  }
  return graph;
}

/** Every `file -> target` edge of controller/ that breaks the rule, with why. */
export function offendingEdges(): string[] {
  const out: string[] = [];
  for (const [from, targets] of importGraph()) {
    for (const to of targets) {
      const why = violation(from, to);
      if (why !== undefined) out.push(`controller/${from} -> controller/${to}  (${why})`);
    }
  }
  return out;
}

/**
 * The circles of a graph: its strongly connected components of two or more files, and a file
 * importing itself (Tarjan's algorithm), each sorted, the list sorted by its first file.
 */
export function importCircles(graph: ReadonlyMap<string, readonly string[]>): string[][] {
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const out: string[][] = [];
  let next = 0;
  const visit = (node: string): void => {
    index.set(node, next);
    low.set(node, next);
    next++;
    stack.push(node);
    onStack.add(node);
    for (const to of graph.get(node) ?? []) {
      if (!index.has(to)) {
        visit(to);
        low.set(node, Math.min(low.get(node)!, low.get(to)!));
      } else if (onStack.has(to)) low.set(node, Math.min(low.get(node)!, index.get(to)!));
    }
    if (low.get(node) !== index.get(node)) return;
    const component: string[] = [];
    for (;;) {
      const member = stack.pop()!;
      onStack.delete(member);
      component.push(member);
      if (member === node) break;
    }
    if (component.length > 1 || (graph.get(node) ?? []).includes(node)) out.push(component.sort());
  };
  for (const node of [...graph.keys()].sort()) if (!index.has(node)) visit(node);
  return out.sort((a, b) => (a[0]! < b[0]! ? -1 : 1));
}

// [name, edges as 'a>b', circles expected]
const circleCases: [string, string[], string[][]][] = [
  ['a chain has none', ['a>b', 'b>c'], []],
  ['two files importing each other', ['a>b', 'b>a'], [['a', 'b']]],
  ['a circle of three, reached from outside', ['x>a', 'a>b', 'b>c', 'c>a'], [['a', 'b', 'c']]],
  ['a file importing itself', ['a>a', 'a>b'], [['a']]],
  ['two separate circles', ['a>b', 'b>a', 'c>d', 'd>c', 'b>c'], [['a', 'b'], ['c', 'd']]],
  ['a diamond is not a circle', ['a>b', 'a>c', 'b>d', 'c>d'], []],
];
for (const [name, edges, expected] of circleCases) {
  test(`importCircles: ${name}`, () => {
    const graph = new Map<string, string[]>();
    for (const edge of edges) {
      const [from, to] = edge.split('>') as [string, string];
      graph.set(from, [...(graph.get(from) ?? []), to]);
      if (!graph.has(to)) graph.set(to, []);
    }
    assert.equal(importCircles(graph), expected);
  });
}

// [edge, breaks the rule]
const edges: [string, string, boolean][] = [
  ['plan/build-plan.ts', 'plan/work.ts', false],
  ['plan/build-plan.ts', 'model/plan.ts', false],
  ['status/build-status.ts', 'plan/forecast.ts', false],
  ['model/plan.ts', 'state/state.ts', true],
  ['plan/summaries.ts', 'status/remembered.ts', true],
  ['manifest/kinds.ts', 'plan/work.ts', true],
  ['config/run-options.ts', 'cli/command.ts', true],
  ['cli/run.ts', 'config/run-options.ts', false],
  ['main.ts', 'cli/command.ts', false],
  ['cli/run.ts', 'main.ts', true],
  ['kube/kube-source.ts', 'sources/source.ts', true],
  ['notify/notifier.ts', 'server/metrics.ts', true],
  ['sources/dir-source.ts', 'state/durable-write.ts', false],
  ['fleet/graph/graph-http.ts', 'fleet/graph/pacer.ts', false],
  ['fleet/index.ts', 'config/secret.ts', true],
  ['model/fleet.ts', 'output/escape.ts', true],
  ['newfolder/x.ts', 'model/plan.ts', true],
  ['reconcile/loop.ts', 'newfolder/x.ts', true],
];
for (const [from, to, breaks] of edges) {
  test(`classifier: ${from} -> ${to} ${breaks ? 'breaks' : 'keeps'} the rule`, () => {
    assert.is(violation(from, to) !== undefined, breaks, violation(from, to));
  });
}

test('every form of relative import is found; packages, node: and text are not', () => {
  const text = [
    "import { a } from '../model/plan.ts';",
    'import type {',
    '  B,',
    "} from '../state/state.ts';",
    "export { c } from './c.ts';",
    "export * from '../policy/waves.ts';",
    "import '../log/side-effect.ts';",
    "const m = await import('../fleet/emulator/server.ts');",
    "const v = require('./validators.js');",
    "import { parse } from 'yaml';",
    "import { readFile } from 'node:fs/promises';",
    "const s = 'from here to there';",
  ].join('\n');
  assert.equal(importsOf(text), [
    '../fleet/emulator/server.ts', '../log/side-effect.ts', '../model/plan.ts', '../policy/waves.ts',
    '../state/state.ts', './c.ts', './validators.js',
  ]);
});

test('a planted upward import is reported as file -> target', () => {
  const from = 'model/plan.ts';
  const to = posix.normalize(posix.join(posix.dirname(from), '../state/state.ts'));
  assert.is(to, 'state/state.ts');
  assert.match(violation(from, to) ?? '', /^upward: model \(floor 0\) imports state \(floor 6\)$/);
});

test('every folder of controller/ has a floor', () => {
  const missing = readdirSync(root).filter((name) => !floorIndex.has(name) && !name.startsWith('.'));
  assert.equal(missing, [], `controller/ entries with no floor: ${missing.join(', ')}`);
});

test('no import in controller/ goes up a floor or sideways between adapters', () => {
  const offending = offendingEdges();
  assert.ok(offending.length === 0, `${offending.length} import(s) break the dependency rule:\n  ${offending.join('\n  ')}`);
});

test('no circle of imports in controller/, within a folder either', () => {
  const circles = importCircles(importGraph());
  assert.equal(circles.map((c) => c.join(' -> ')), [], 'files that import each other, directly or around a circle: move what they share into a file below both');
});

test.run();
