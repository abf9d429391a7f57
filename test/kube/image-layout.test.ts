// No Docker engine runs where the tests run, so this lays the image's files out the way the
// Dockerfile does — the deps stage's `npm ci --omit=dev` from package.json and the lock file,
// the build stage's COPY lines and its build of dist/, then the final stage's COPY lines — and
// runs what the image's ENTRYPOINT runs from there. It proves that production dependencies
// alone are enough, that the image runs the built JavaScript (no TypeScript sources beside
// it), and that nothing the program needs was left out of the COPY lists. One step is not
// repeated: the build stage's `npm ci` of every dependency (~600 MB); the repository's own
// node_modules, which that install reproduces from the same lock file, stands in for it.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { execFile } from 'node:child_process';
import { cp, mkdtemp, readFile, readdir, rm, mkdir, symlink } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../..', import.meta.url));

interface Stage {
  from: string;
  name: string | undefined;
  lines: string[];
}

/** Splits the Dockerfile into stages of logical lines (continuations joined, comments dropped). */
function parseDockerfile(text: string): Stage[] {
  const logical = text
    .replace(/\\\n/g, ' ')
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l !== '' && !l.startsWith('#'));
  const stages: Stage[] = [];
  for (const line of logical) {
    const from = /^FROM\s+(\S+)(?:\s+AS\s+(\S+))?/i.exec(line);
    if (from) stages.push({ from: from[1]!, name: from[2], lines: [] });
    else stages.at(-1)?.lines.push(line);
  }
  return stages;
}

interface Copy {
  from: string | undefined;
  sources: string[];
  dest: string;
}

function copiesOf(stage: Stage): Copy[] {
  return stage.lines
    .filter((l) => /^COPY\s/i.test(l))
    .map((l) => {
      const words = l.split(/\s+/).slice(1);
      const from = words.find((w) => w.startsWith('--from='))?.slice('--from='.length);
      const paths = words.filter((w) => !w.startsWith('--'));
      return { from, sources: paths.slice(0, -1), dest: paths.at(-1)! };
    });
}

function run(command: string, args: string[], cwd: string, env: NodeJS.ProcessEnv = process.env): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(command, args, { cwd, env, maxBuffer: 16 * 1024 * 1024, timeout: 180_000 }, (error, stdout, stderr) => {
      resolve({ code: error ? (typeof error.code === 'number' ? error.code : 1) : 0, stdout, stderr });
    });
  });
}

type Ctx = { dir: string; app: string; stages: Stage[] };

/** Copies a stage's COPY lines into `into`: from the build context, or from an earlier stage's directory. */
async function copyInto(stage: Stage, into: string, stageDirs: Map<string, string>): Promise<void> {
  for (const copy of copiesOf(stage)) {
    if (copy.from !== undefined) {
      const from = stageDirs.get(copy.from);
      assert.ok(from, `COPY --from=${copy.from}: no earlier stage of that name`);
      await cp(join(from!, copy.sources[0]!.replace(/^\/app\//, '')), join(into, copy.dest), { recursive: true });
      continue;
    }
    // Like `docker build .`: the working tree as it is (a fresh clone in CI). Every COPY of the
    // Dockerfile keeps a file's path (`COPY bin ./bin`, `COPY scripts/build.ts ./scripts/`).
    for (const source of copy.sources) await cp(join(root, source), join(into, source), { recursive: true });
  }
}
const image = suite<Ctx>('image layout', { dir: '', app: '', stages: [] });

image.before(async (ctx) => {
  ctx.stages = parseDockerfile(await readFile(join(root, 'Dockerfile'), 'utf8'));
  ctx.dir = await mkdtemp(join(tmpdir(), 'firmwarden-image-'));
  ctx.app = join(ctx.dir, 'app');
  const stageDirs = new Map<string, string>();
  const deps = ctx.stages.find((s) => s.name === 'deps')!;
  const build = ctx.stages.find((s) => s.name === 'build')!;
  // deps: its COPY lines, then its npm ci (offline when the npm cache has everything).
  const depsDir = join(ctx.dir, 'deps');
  await mkdir(depsDir);
  await copyInto(deps, depsDir, stageDirs);
  const npmCi = deps.lines.find((l) => /npm ci/.test(l))!;
  const flags = /npm ci((?:\s+--[\w=-]+)*)/.exec(npmCi)![1]!.trim().split(/\s+/);
  const installed = await run('npm', ['ci', ...flags, '--prefer-offline', '--engine-strict=false', '--loglevel=error'], depsDir);
  if (installed.code !== 0) throw new Error(`npm ci ${flags.join(' ')} failed: ${installed.stderr}`);
  stageDirs.set('deps', depsDir);
  // build: its COPY lines, every dependency (the repository's, see the header), then its RUN node lines.
  const buildDir = join(ctx.dir, 'build');
  await mkdir(buildDir);
  await copyInto(build, buildDir, stageDirs);
  await symlink(join(root, 'node_modules'), join(buildDir, 'node_modules'));
  for (const line of build.lines.filter((l) => /^RUN node\s/.test(l))) {
    const words = line.split(/\s+/).slice(2);
    const built = await run(process.execPath, words, buildDir);
    if (built.code !== 0) throw new Error(`${line} failed: ${built.stderr}`);
  }
  stageDirs.set('build', buildDir);
  // final: node_modules from deps, dist/ from build, the rest from the context.
  await mkdir(ctx.app);
  await copyInto(ctx.stages.at(-1)!, ctx.app, stageDirs);
});

image.after(async (ctx) => {
  if (ctx.dir) await rm(ctx.dir, { recursive: true, force: true });
});

image('the Dockerfile is multi-stage on node:26-slim, with git and tini, non-root, production deps only', ({ stages }) => {
  assert.equal(stages.map((s) => s.name), ['deps', 'build', undefined], 'deps, build, then the image');
  for (const s of stages) assert.is(s.from, 'node:26-slim');
  const final = stages.at(-1)!;
  const text = final.lines.join('\n');
  assert.match(stages[0]!.lines.join('\n'), /npm ci --omit=dev/);
  assert.match(stages[1]!.lines.join('\n'), /RUN node [^\n]*scripts\/build\.ts/);
  assert.match(text, /apt-get install[^\n]*\bgit\b/);
  assert.match(text, /apt-get install[^\n]*\btini\b/);
  const user = /^USER\s+(\d+)(?::(\d+))?$/m.exec(text);
  assert.ok(user, 'a numeric USER, so runAsNonRoot can be verified');
  assert.is.not(user![1], '0');
  assert.match(text, /ENTRYPOINT \["\/usr\/bin\/tini", "--", "node",[^\]]*"\/app\/bin\/firmwarden\.mjs"\]/);
  assert.not.match(text, /npm (install|ci)(?!.*--omit=dev)/, 'no dev dependencies in the final stage');
});

image('the image copies everything package.json ships (and the lock file), nothing from test/', async ({ stages }) => {
  const pkg = JSON.parse(await readFile(join(root, 'package.json'), 'utf8')) as { files: string[] };
  // From the context by path; from a stage by the path it had there (/app/dist -> dist).
  const copied = copiesOf(stages.at(-1)!).flatMap((c) => c.sources.map((s) => s.replace(/^\/app\//, '').replace(/\/$/, '')));
  for (const entry of pkg.files.map((f) => f.replace(/\/$/, ''))) assert.ok(copied.includes(entry), `${entry} is in package.json "files" but is not copied`);
  assert.ok(copied.includes('package.json') && copied.includes('package-lock.json'));
  assert.not.ok(copied.some((c) => c.startsWith('test') || c.startsWith('bench')));
});

image('the image runs the built JavaScript: dist/ holds the controller, no TypeScript source beside it', async ({ app }) => {
  // bin/firmwarden.mjs runs controller/main.ts whenever it exists, which would bring back type
  // stripping at every container start.
  assert.not.ok(existsSync(join(app, 'controller')), 'controller/ must not be in the image');
  assert.ok(existsSync(join(app, 'dist/main.js')), 'dist/main.js is built');
  const files = (await readdir(join(app, 'dist'), { recursive: true })).map(String);
  assert.equal(files.filter((f) => /\.(ts|mts|cts)$/.test(f)), []);
  // What the build copies beside the compiled code (generated validators, the live view's page).
  assert.ok(files.some((f) => f.endsWith('schema-validators.generated.js')));
  assert.ok(files.some((f) => f.endsWith('live-view.js')));
});

image('exactly the production dependency tree was installed, no dev-only package', async ({ app }) => {
  const lock = JSON.parse(await readFile(join(root, 'package-lock.json'), 'utf8')) as { packages: Record<string, { dev?: boolean; optional?: boolean; devOptional?: boolean }> };
  const wrong: string[] = [];
  for (const [path, meta] of Object.entries(lock.packages)) {
    if (path === '' || !path.startsWith('node_modules/')) continue;
    const present = existsSync(join(app, path, 'package.json'));
    if (meta.dev && present) wrong.push(`${path} is dev-only but installed`);
    if (!meta.dev && !meta.optional && !meta.devOptional && !present) wrong.push(`${path} is a production dependency but missing`);
  }
  assert.equal(wrong, []);
});

image('the entrypoint runs from the layout: --help and --version', async ({ app }) => {
  const node = process.execPath;
  const help = await run(node, ['--disable-warning=ExperimentalWarning', join(app, 'bin/firmwarden.mjs'), '--help'], app);
  assert.is(help.code, 0, help.stderr);
  assert.match(help.stdout, /Usage: firmwarden <command>/);
  const version = await run(node, ['--disable-warning=ExperimentalWarning', join(app, 'bin/firmwarden.mjs'), '--version'], app);
  assert.is(version.code, 0, version.stderr);
  assert.match(version.stdout, /^firmwarden \d+\.\d+\.\d+/);
});

image('every command\'s code loads with production dependencies only', async ({ app }) => {
  const node = process.execPath;
  const help = await run(node, ['--disable-warning=ExperimentalWarning', join(app, 'bin/firmwarden.mjs'), '--help'], app);
  const commands = [...help.stdout.matchAll(/^ {2}(\S+) {2,}/gm)].map((m) => m[1]!);
  assert.ok(commands.length >= 1, help.stdout);
  for (const command of commands) {
    const r = await run(node, ['--disable-warning=ExperimentalWarning', join(app, 'bin/firmwarden.mjs'), command, '--help'], app);
    assert.not.match(r.stderr, /Cannot find (module|package)/, `${command}: ${r.stderr}`);
    assert.is(r.code, 0, `${command} --help: ${r.stderr}`);
  }
});

image('every controller module imports from the layout (no dev-only import anywhere)', async ({ app }) => {
  const script = `
    import { readdirSync, statSync } from 'node:fs';
    import { join } from 'node:path';
    const walk = (d) => readdirSync(d).flatMap((n) => statSync(join(d, n)).isDirectory() ? walk(join(d, n)) : n.endsWith('.js') && !d.includes('live-view') ? [join(d, n)] : []);
    const failed = [];
    const files = walk('dist');
    for (const f of files) {
      try { await import(join(process.cwd(), f)); } catch (e) { failed.push(f + ': ' + (e.code ?? '') + ' ' + e.message.split('\\n')[0]); }
    }
    console.log(JSON.stringify({ imported: files.length - failed.length, failed }));
    process.exit(0);
  `;
  const r = await run(process.execPath, ['--disable-warning=ExperimentalWarning', '--input-type=module', '-e', script], app);
  assert.is(r.code, 0, r.stderr);
  const { imported, failed } = JSON.parse(r.stdout.trim().split('\n').at(-1)!) as { imported: number; failed: string[] };
  // A missing *package* means a runtime import of something only dev installs provide.
  assert.equal(failed.filter((f) => /Cannot find package/.test(f)), [], failed.join('\n'));
  assert.ok(imported >= 30, `only ${imported} modules imported`);
});

image('the image can lint the example config repository', async ({ app }) => {
  const r = await run(process.execPath, ['--disable-warning=ExperimentalWarning', join(app, 'bin/firmwarden.mjs'), 'lint', 'examples'], app);
  assert.is(r.code, 0, `${r.stdout}\n${r.stderr}`);
});

image.run();
