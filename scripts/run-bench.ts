// Runs the benchmarks (bench/*.bench.ts) one after the other, printing their figures.
// Usage: npm run bench [-- substring…]   (only benchmarks whose name contains one of them)
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';

const root = new URL('..', import.meta.url).pathname;
const dir = join(root, 'bench');
const filters = process.argv.slice(2).filter((a) => !a.startsWith('-'));
const passThrough = process.argv.slice(2).filter((a) => a.startsWith('-'));
const files = (existsSync(dir) ? readdirSync(dir) : [])
  .filter((f) => f.endsWith('.bench.ts'))
  .filter((f) => filters.length === 0 || filters.some((s) => f.includes(s)))
  .sort();
let failed = 0;
for (const file of files) {
  process.stdout.write(`\n== ${file}\n`);
  const r = spawnSync(process.execPath, ['--disable-warning=ExperimentalWarning', '--expose-gc', join(dir, file), ...passThrough], {
    cwd: root,
    stdio: 'inherit',
  });
  if (r.status !== 0) {
    failed++;
    process.stdout.write(`== ${file} exited with ${r.status ?? r.signal}\n`);
  }
}
if (files.length === 0) process.stdout.write('no benchmark matched\n');
process.exitCode = failed > 0 ? 1 : 0;
