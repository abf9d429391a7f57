// Runs the benchmarks (bench/*.bench.ts) one after the other, printing their figures.
// Usage: npm run bench [-- NAME… [--option value | --option=value …]]
//   NAME selects the benchmark of that name (`lint` is bench/lint.bench.ts only); a NAME that
//   is no benchmark's whole name selects those whose name contains it. The words before the
//   first option are names; everything from the first option on reaches each selected
//   benchmark unchanged, so `lint --files 100` and `lint --files=100` both lint 100 files.
//   npm run bench -- table [--from FILE]   runs the benchmarks of issue 17's table and prints
//   it (bench/support/table.ts); --from renders it from a saved `npm run bench` output.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';

const root = new URL('..', import.meta.url).pathname;
const dir = join(root, 'bench');
const args = process.argv.slice(2);
const firstOption = args.findIndex((a) => a.startsWith('-'));
const names = firstOption < 0 ? args : args.slice(0, firstOption);
const passThrough = firstOption < 0 ? [] : args.slice(firstOption);

/** The benchmarks `names` select, in name order; exits with a sentence on a name that selects none. */
function select(all: readonly string[]): string[] {
  if (names.length === 0) return [...all];
  const chosen = new Set<string>();
  for (const name of names) {
    const matches = all.includes(name) ? [name] : all.filter((b) => b.includes(name));
    if (matches.length === 0) {
      process.stderr.write(`no benchmark is named or contains ${JSON.stringify(name)}; there are: ${all.join(', ')}\n`);
      process.exit(2);
    }
    for (const m of matches) chosen.add(m);
  }
  return all.filter((b) => chosen.has(b));
}

const node = [process.execPath, '--disable-warning=ExperimentalWarning', '--expose-gc'] as const;
if (names[0] === 'table') {
  const r = spawnSync(node[0], [...node.slice(1), join(dir, 'support/table.ts'), ...names.slice(1), ...passThrough], { cwd: root, stdio: 'inherit' });
  process.exit(r.status ?? 1);
}
const all = (existsSync(dir) ? readdirSync(dir) : []).filter((f) => f.endsWith('.bench.ts')).map((f) => f.slice(0, -'.bench.ts'.length)).sort();
let failed = 0;
for (const name of select(all)) {
  process.stdout.write(`\n== ${name}.bench.ts\n`);
  const r = spawnSync(node[0], [...node.slice(1), join(dir, `${name}.bench.ts`), ...passThrough], { cwd: root, stdio: 'inherit' });
  if (r.status !== 0) {
    failed++;
    process.stdout.write(`== ${name}.bench.ts exited with ${r.status ?? r.signal}\n`);
  }
}
process.exitCode = failed > 0 ? 1 : 0;
