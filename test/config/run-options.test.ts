// `firmwarden run`'s source and HTTP options: flags, environment, defaults, contradictions, secrets.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs, inspect } from 'node:util';
import { UsageError } from '../../controller/config/usage-error.ts';
import { runSourceFlags, runSourceHelp } from '../../controller/config/run-flags.ts';
import { isRemoteAddress, parseDuration, parseIdentity, parseListen } from '../../controller/config/run-option-values.ts';
import { resolveRunSourceOptions } from '../../controller/config/run-options.ts';

const resolveArgs = (args: string[], env: Record<string, string> = {}) =>
  resolveRunSourceOptions(parseArgs({ args, options: runSourceFlags, strict: true }).values, env, '/work');

const parsing = suite('run option parsers');

const durations: [string, number][] = [['500ms', 500], ['30s', 30_000], ['1m', 60_000], ['1m30s', 90_000], ['2h', 7_200_000], ['15', 15_000], ['0', 0]];
for (const [text, ms] of durations) parsing(`duration ${text} → ${ms} ms`, () => assert.is(parseDuration(text), ms));

parsing('bad durations, listens and identities are usage errors', () => {
  for (const bad of ['1x', 'm', '1m-', '']) assert.throws(() => parseDuration(bad), (e: unknown) => e instanceof UsageError);
  for (const bad of ['8080', 'host:', 'h:99999', '[::1]']) assert.throws(() => parseListen(bad), (e: unknown) => e instanceof UsageError);
  assert.throws(() => parseIdentity('nobody'), (e: unknown) => e instanceof UsageError);
});

parsing('listen forms', () => {
  assert.equal(parseListen('127.0.0.1:8080'), { host: '127.0.0.1', port: 8080 });
  assert.equal(parseListen('0.0.0.0:0'), { host: '0.0.0.0', port: 0 });
  assert.equal(parseListen(':9090'), { host: '0.0.0.0', port: 9090 });
  assert.equal(parseListen('[::1]:8080'), { host: '::1', port: 8080 });
  assert.equal(parseIdentity('Fleet Bot <bot@example.com>'), { name: 'Fleet Bot', email: 'bot@example.com' });
});

parsing('remote addresses versus local paths', () => {
  assert.ok(isRemoteAddress('https://github.com/o/r.git'));
  assert.ok(isRemoteAddress('ssh://git@github.com/o/r.git'));
  assert.ok(isRemoteAddress('git@github.com:o/r.git'));
  assert.not.ok(isRemoteAddress('./config'));
  assert.not.ok(isRemoteAddress('/srv/config.git'));
});

const resolving = suite('resolveRunSourceOptions');

resolving('git defaults, and a local repository path resolved against the working directory', async () => {
  const options = await resolveArgs(['--repo', 'config']);
  assert.equal(options.source, { kind: 'git', repo: '/work/config', branch: 'main', path: '.', intervalMs: 60_000, auth: { kind: 'none' }, report: 'FLEET.md' });
  assert.equal({ ...options.http }, { host: '127.0.0.1', port: 8080 });
  assert.is(options.http.webhookSecret, undefined);
  assert.ok(Object.isFrozen(options) && Object.isFrozen(options.source));
});

resolving('every flag, and environment variables where flags are absent (flags win)', async () => {
  const options = await resolveArgs(
    ['--repo', 'https://git.example.com/fleet/config.git', '--branch', 'prod', '--interval', '30s', '--git-token-file', 'tok', '--git-username', 'oauth2', '--verify-signatures', '--trusted-keys', 'keys.asc', '--status-author', 'Bot <bot@example.com>'],
    { FIRMWARDEN_PATH: 'fleet', FIRMWARDEN_DATA_DIR: '/var/lib/fw', FIRMWARDEN_BRANCH: 'ignored', FIRMWARDEN_LISTEN: '0.0.0.0:8080', FIRMWARDEN_GIT_SIGNING_KEY: 'bot-key' },
  );
  assert.equal(options.source, {
    kind: 'git',
    repo: 'https://git.example.com/fleet/config.git',
    branch: 'prod',
    path: 'fleet',
    intervalMs: 30_000,
    auth: { kind: 'token', tokenFile: '/work/tok', username: 'oauth2' },
    dataDir: '/var/lib/fw',
    trustedKeysFile: '/work/keys.asc',
    signingKeyFile: '/work/bot-key',
    statusAuthor: { name: 'Bot', email: 'bot@example.com' },
    report: 'fleet/FLEET.md',
  });
  assert.is(options.http.host, '0.0.0.0');
});

resolving('secrets from the environment are usable but invisible to JSON, logs and inspect', async () => {
  const options = await resolveArgs(['--repo', 'https://h/r.git'], { FIRMWARDEN_GIT_TOKEN: 'tok-abcdef', FIRMWARDEN_WEBHOOK_SECRET: 'whsec-0123456789abcdef' });
  const auth = options.source.kind === 'git' ? options.source.auth : undefined;
  assert.is(auth?.kind === 'token' ? auth.token : undefined, 'tok-abcdef');
  assert.is(options.http.webhookSecret?.reveal(), 'whsec-0123456789abcdef');
  const shown = JSON.stringify(options) + inspect(options, { depth: 10 });
  assert.not.match(shown, 'tok-abcdef');
  assert.not.match(shown, 'whsec');
});

resolving('the webhook secret file is read and trimmed; short secrets are refused', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'fw-opt-'));
  try {
    writeFileSync(join(dir, 'secret'), 'a-long-enough-secret-value\n');
    const options = await resolveRunSourceOptions({ dir: '.', 'webhook-secret-file': join(dir, 'secret') }, {}, dir);
    assert.is(options.http.webhookSecret?.reveal(), 'a-long-enough-secret-value');
    assert.equal(options.source, { kind: 'dir', dir, path: '.', report: 'FLEET.md' });
    await resolveRunSourceOptions({ dir: '.' }, { FIRMWARDEN_WEBHOOK_SECRET: 'short' }, dir).then(
      () => assert.unreachable('short secret accepted'),
      (e: unknown) => assert.instance(e, UsageError),
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

parsing('the help names the new flags, each on its own line', () => {
  for (const line of ['  --status-branch NAME', "  --status-message TEXT    status commit message; {summary} {revision} {shortRevision} {branch}, \\n starts the body", '  --report FILE', '  --no-report']) {
    assert.ok(runSourceHelp.split('\n').some((l) => l.startsWith(line)), line);
  }
});

resolving('status branch, message template and report flags', async () => {
  const options = await resolveArgs(['--repo', 'r', '--path', 'fleet', '--status-branch', 'firmwarden/status', '--status-message', 'chore: {summary} [skip ci]\\n\\nSpec {revision}.', '--report', 'docs/fleet.md']);
  assert.equal(options.source.kind === 'git' && [options.source.statusBranch, options.source.statusMessage, options.source.report], [
    'firmwarden/status',
    'chore: {summary} [skip ci]\n\nSpec {revision}.',
    'docs/fleet.md',
  ]);
  const off = await resolveArgs(['--dir', 'd'], { FIRMWARDEN_NO_REPORT: 'true' });
  assert.equal(off.source, { kind: 'dir', dir: '/work/d', path: '.' });
  const env = await resolveArgs(['--repo', 'r'], { FIRMWARDEN_STATUS_BRANCH: 'fw-status', FIRMWARDEN_REPORT: 'STATUS.md' });
  assert.equal(env.source.kind === 'git' && [env.source.statusBranch, env.source.report], ['fw-status', 'STATUS.md']);
});

const contradictions: [string, string[], Record<string, string>, string][] = [
  ['neither --repo nor --dir', [], {}, 'exactly one of --repo or --dir'],
  ['both --repo and --dir', ['--repo', 'r', '--dir', 'd'], {}, 'exactly one of --repo or --dir'],
  ['a git flag with --dir', ['--dir', 'd', '--branch', 'x'], {}, '--branch applies to --repo'],
  ['credentials in the URL', ['--repo', 'https://u:p@h/r.git'], {}, 'must not carry credentials'],
  ['a token and an ssh key', ['--repo', 'r', '--git-ssh-key', 'k'], { FIRMWARDEN_GIT_TOKEN: 't' }, 'not both'],
  ['known hosts without a key', ['--repo', 'r', '--git-known-hosts', 'k'], {}, 'needs --git-ssh-key'],
  ['verification without keys', ['--repo', 'r', '--verify-signatures'], {}, 'needs --trusted-keys'],
  ['keys without verification', ['--repo', 'r', '--trusted-keys', 'k'], {}, 'only used with --verify-signatures'],
  ['a path climbing out', ['--repo', 'r', '--path', '../x'], {}, 'stay inside'],
  ['an odd branch', ['--repo', 'r', '--branch=--upload-pack=x'], {}, 'invalid --branch'],
  ['an odd status branch', ['--repo', 'r', '--status-branch=--upload-pack=x'], {}, 'invalid --status-branch'],
  ['the status branch is the branch', ['--repo', 'r', '--branch', 'prod', '--status-branch', 'prod'], {}, '--status-branch must differ from --branch (prod)'],
  ['a status branch with --dir', ['--dir', 'd', '--status-branch', 's'], {}, '--status-branch applies to --repo'],
  ['an unknown placeholder', ['--repo', 'r', '--status-message', 'status: {summry}'], {}, '--status-message: unknown placeholder {summry}'],
  ['a report and no report', ['--repo', 'r', '--report', 'F.md', '--no-report'], {}, 'not both'],
  ['a report outside', ['--repo', 'r', '--report', '../F.md'], {}, 'inside it'],
  ['a report that reads as a manifest', ['--repo', 'r', '--report', 'fleet.yaml'], {}, 'must not end in .yaml'],
  ['a report in .git', ['--repo', 'r', '--report', '.git/F.md'], {}, 'inside .git'],
];
for (const [name, args, env, message] of contradictions) {
  resolving(`usage error: ${name}`, async () => {
    const error = await resolveArgs(args, env).then(() => undefined, (e: unknown) => e);
    assert.instance(error, UsageError);
    assert.match((error as Error).message, message);
    assert.not.match((error as Error).message, /:p@/);
  });
}

parsing.run();
resolving.run();
