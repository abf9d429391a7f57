// Helpers for the schemas command's tests: the CLI as a real process, a scratch folder, and a
// schema file compiled the way an editor resolves it.
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import ajv2020 from 'ajv/dist/2020.js';
import ajvFormats from 'ajv-formats';
import { ajvOptions } from '../../scripts/gen/validators.ts';
import { manifestSchemaFile, readShippedSchemas, settingsSnippetFile } from '../../controller/cli/schemas.ts';

const Ajv2020 = ajv2020.default;
const addFormats = ajvFormats.default;
/** The repository. */
export const root = fileURLToPath(new URL('../..', import.meta.url));
const bin = join(root, 'bin/firmwarden.mjs');

/** Runs bin/firmwarden.mjs in `cwd`. */
export function firmwarden(args: string[], cwd: string): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((done) => {
    execFile(process.execPath, [bin, ...args], { cwd, env: { ...process.env, NO_COLOR: '1' } }, (error, stdout, stderr) => {
      done({ code: error ? (typeof error.code === 'number' ? error.code : 1) : 0, stdout, stderr });
    });
  });
}

/** Runs `body` in a fresh temporary folder, removed afterwards. */
export async function scratch<T>(body: (dir: string) => Promise<T>): Promise<T> {
  const dir = await mkdtemp(join(tmpdir(), 'fw-schemas-'));
  try {
    return await body(dir);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/**
 * Compiles the schema file at `path` as an editor does: its $id replaced by the file's own URL,
 * so relative $refs resolve to files beside it (a missing one fails), nothing fetched.
 */
export async function compileFile(path: string) {
  const load = async (file: string) => ({ ...(JSON.parse(await readFile(file, 'utf8')) as object), $id: pathToFileURL(file).href });
  const ajv = new Ajv2020({ ...ajvOptions, loadSchema: (uri: string) => load(fileURLToPath(uri)) });
  addFormats(ajv);
  ajv.addKeyword('x-firmwarden');
  return ajv.compileAsync(await load(path));
}

/** The names `schemas --write` writes, sorted. */
export const expectedFiles = async (): Promise<string[]> => [...(await readShippedSchemas()).map((s) => s.file), manifestSchemaFile, settingsSnippetFile].sort();
