// The controller laid out as the container image runs it (Dockerfile): bin/, the plain
// JavaScript of dist/ built by scripts/build.ts, schemas/ and package.json, no TypeScript
// sources (bin/firmwarden.mjs then runs dist/). Benchmarks that measure the controller's
// memory run it this way because users do: run from the sources, Node.js strips the types of
// every module at each container start (the compile cache starts empty there) and keeps its
// type stripper loaded, which the repository's warm cache would hide. node_modules is the
// repository's own (only production packages are ever loaded from it).
import { execFileSync } from 'node:child_process';
import { cpSync, mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const root = new URL('../..', import.meta.url).pathname;

export interface ImageApp {
  /** The app's folder: bin/firmwarden.mjs runs from here. */
  readonly dir: string;
  remove(): void;
}

/** Builds the layout in a new temporary folder (tsc: a few seconds). */
export function buildImageApp(): ImageApp {
  const dir = mkdtempSync(join(tmpdir(), 'firmwarden-image-app-'));
  execFileSync(process.execPath, ['--disable-warning=ExperimentalWarning', join(root, 'scripts/build.ts'), '--out', join(dir, 'dist')], { cwd: root, stdio: ['ignore', 'ignore', 'inherit'] });
  for (const part of ['bin', 'schemas', 'package.json']) cpSync(join(root, part), join(dir, part), { recursive: true });
  symlinkSync(join(root, 'node_modules'), join(dir, 'node_modules'));
  return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) };
}
