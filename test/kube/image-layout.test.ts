// No Docker engine runs where the tests run, so this lays the image's files out the way the
// Dockerfile does — the builder's `npm ci --omit=dev` from package.json and the lock file,
// then the final stage's COPY lines — and runs what the image's ENTRYPOINT runs from there.
// It proves that production dependencies alone are enough and that nothing the program needs
// was left out of the COPY list.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { execFile } from 'node:child_process';
import { cp, mkdtemp, readFile, rm, mkdir } from 'node:fs/promises';
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
const image = suite<Ctx>('image layout', { dir: '', app: '', stages: [] });

image.before(async (ctx) => {
  ctx.stages = parseDockerfile(await readFile(join(root, 'Dockerfile'), 'utf8'));
  ctx.dir = await mkdtemp(join(tmpdir(), 'firmwarden-image-'));
  const builder = join(ctx.dir, 'builder');
  ctx.app = join(ctx.dir, 'app');
  await mkdir(builder);
  await mkdir(ctx.app);
  const [deps, final] = [ctx.stages[0]!, ctx.stages.at(-1)!];
  // Builder stage: its COPY lines, then its npm ci (offline when the npm cache has everything).
  for (const copy of copiesOf(deps)) for (const source of copy.sources) await cp(join(root, source), join(builder, source));
  const npmCi = deps.lines.find((l) => /npm ci/.test(l))!;
  const flags = /npm ci((?:\s+--[\w=-]+)*)/.exec(npmCi)![1]!.trim().split(/\s+/);
  const installed = await run('npm', ['ci', ...flags, '--prefer-offline', '--engine-strict=false', '--loglevel=error'], builder);
  if (installed.code !== 0) throw new Error(`npm ci ${flags.join(' ')} failed: ${installed.stderr}`);
  // Final stage: node_modules from the builder, then the sources as listed.
  for (const copy of copiesOf(final)) {
    if (copy.from !== undefined) {
      assert.is(copy.from, deps.name, 'the final stage copies only from the builder');
      await cp(join(builder, copy.sources[0]!.replace(/^\/app\//, '')), join(ctx.app, copy.dest), { recursive: true });
      continue;
    }
    // Like `docker build .`: the working tree as it is (a fresh clone in CI).
    for (const source of copy.sources) await cp(join(root, source), join(ctx.app, source), { recursive: true });
  }
});

image.after(async (ctx) => {
  if (ctx.dir) await rm(ctx.dir, { recursive: true, force: true });
});

image('the Dockerfile is multi-stage on node:26-slim, with git and tini, non-root, production deps only', ({ stages }) => {
  assert.ok(stages.length >= 2, 'multi-stage');
  for (const s of stages) assert.is(s.from, 'node:26-slim');
  const final = stages.at(-1)!;
  const text = final.lines.join('\n');
  assert.match(stages[0]!.lines.join('\n'), /npm ci --omit=dev/);
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
  const copied = copiesOf(stages.at(-1)!).filter((c) => c.from === undefined).flatMap((c) => c.sources.map((s) => s.replace(/\/$/, '')));
  // The package ships dist/, JavaScript built from controller/ at pack time (Node will not strip
  // types inside node_modules); the image is no package install, so it runs controller/ itself.
  const inImage = (entry: string) => (entry === 'dist' ? 'controller' : entry);
  for (const entry of pkg.files.map((f) => f.replace(/\/$/, ''))) assert.ok(copied.includes(inImage(entry)), `${entry} is in package.json "files" but ${inImage(entry)} is not copied`);
  assert.ok(copied.includes('package.json') && copied.includes('package-lock.json'));
  assert.not.ok(copied.some((c) => c.startsWith('test') || c.startsWith('bench')));
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
    const walk = (d) => readdirSync(d).flatMap((n) => statSync(join(d, n)).isDirectory() ? walk(join(d, n)) : n.endsWith('.ts') ? [join(d, n)] : []);
    const failed = [];
    const files = walk('controller');
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
