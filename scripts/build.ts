// Builds what an installed firmwarden runs: dist/, plain JavaScript compiled from controller/
// (Node.js refuses to strip TypeScript types under node_modules), plus every file of
// controller/ that tsc does not emit (the generated validators, already JavaScript, and the
// live view's page, style and icon), at the same relative paths so import.meta.url lookups hold.
// The repository itself never runs dist/: bin/firmwarden.mjs prefers the sources when present.
// Usage: node scripts/build.ts          (npm run build; npm pack runs it as prepack)
//        node scripts/build.ts --clean  (npm pack runs it as postpack: dist/ is not kept around)
import { execFileSync } from 'node:child_process';
import { cpSync, mkdirSync, readdirSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, relative } from 'node:path';

const root = new URL('..', import.meta.url).pathname;
const source = join(root, 'controller');
const dist = join(root, 'dist');

rmSync(dist, { recursive: true, force: true });
if (!process.argv.includes('--clean')) {
  const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
  execFileSync(process.execPath, [tsc, '-p', join(root, 'tsconfig.build.json')], { cwd: root, stdio: ['ignore', 'inherit', 'inherit'] });
  for (const file of filesUnder(source)) {
    // .ts (and .d.ts) are compiled or are types only; READMEs are for people reading the source.
    if (file.endsWith('.ts') || file.endsWith('.md')) continue;
    const target = join(dist, relative(source, file));
    mkdirSync(dirname(target), { recursive: true });
    cpSync(file, target);
  }
}

function filesUnder(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((entry) => entry.isFile())
    .map((entry) => join(entry.parentPath, entry.name));
}
