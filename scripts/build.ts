// Builds what an installed firmwarden runs: dist/, plain JavaScript compiled from controller/
// (Node.js refuses to strip TypeScript types under node_modules), plus every file of
// controller/ that tsc does not emit (the generated validators, already JavaScript, and the
// live view's page, style and icon), at the same relative paths so import.meta.url lookups hold.
// The repository itself never runs dist/: bin/firmwarden.mjs prefers the sources when present.
// Usage: node scripts/build.ts          (npm run build; npm runs it as prepare: on npm pack and
//                                        publish, on npm install/ci in a clone, and when a Git
//                                        dependency is installed, which is how pre-commit installs
//                                        the hook; prepack would not run for Git dependencies)
//        node scripts/build.ts --clean  (npm pack runs it as postpack: dist/ is not kept around)
//        node scripts/build.ts --out DIR (builds into DIR instead: benchmarks that run the
//                                        controller as the image does, without touching dist/)
import { execFileSync } from 'node:child_process';
import { cpSync, mkdirSync, readdirSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, relative } from 'node:path';

const root = new URL('..', import.meta.url).pathname;
const source = join(root, 'controller');
const outAt = process.argv.indexOf('--out');
const dist = outAt > 0 && process.argv[outAt + 1] ? process.argv[outAt + 1]! : join(root, 'dist');

rmSync(dist, { recursive: true, force: true });
const tsc = resolveTsc();
if (!process.argv.includes('--clean') && tsc !== undefined) {
  execFileSync(process.execPath, [tsc, '-p', join(root, 'tsconfig.build.json'), '--outDir', dist], { cwd: root, stdio: ['ignore', 'inherit', 'inherit'] });
  for (const file of filesUnder(source)) {
    // .ts (and .d.ts) are compiled or are types only; READMEs are for people reading the source.
    if (file.endsWith('.ts') || file.endsWith('.md')) continue;
    const target = join(dist, relative(source, file));
    mkdirSync(dirname(target), { recursive: true });
    cpSync(file, target);
  }
}

/**
 * tsc from devDependencies. Without them (npm ci --omit=dev in a clone, which runs prepare too)
 * there is nothing to build for: the sources run as they are outside node_modules. Packing
 * without them would ship no code, so that fails.
 */
function resolveTsc(): string | undefined {
  try {
    return createRequire(import.meta.url).resolve('typescript/bin/tsc');
  } catch {
    if (process.argv.includes('--clean')) return undefined;
    const packing = ['pack', 'publish'].includes(process.env.npm_command ?? '');
    process.stderr.write(`firmwarden build: TypeScript is not installed (devDependencies omitted): ${packing ? 'cannot build the package; run npm ci first' : 'dist/ not built, the sources run as they are'}\n`);
    if (packing) process.exit(1);
    return undefined;
  }
}

function filesUnder(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((entry) => entry.isFile())
    .map((entry) => join(entry.parentPath, entry.name));
}
