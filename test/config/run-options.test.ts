// `firmwarden run`'s source and HTTP options: flags, environment, defaults, contradictions, secrets.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs, inspect } from 'node:util';
import { UsageError } from '../../controller/cli/command.ts';
import {
  isRemoteAddress,
  parseDuration,
  parseIdentity,
  parseListen,
  resolveRunSourceOptions,
  runSourceFlags,
} from '../../controller/config/run-options.ts';

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
  assert.equal(options.source, { kind: 'git', repo: '/work/config', branch: 'main', path: '.', intervalMs: 60_000, auth: { kind: 'none' } });
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
    assert.equal(options.source, { kind: 'dir', dir, path: '.' });
    await resolveRunSourceOptions({ dir: '.' }, { FIRMWARDEN_WEBHOOK_SECRET: 'short' }, dir).then(
      () => assert.unreachable('short secret accepted'),
      (e: unknown) => assert.instance(e, UsageError),
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
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
