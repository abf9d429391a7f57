// How credentials reach git: the askpass script, the ssh command, the isolated environment.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildSshCommand, hasEmbeddedCredentials, prepareGitEnvironment, quoteForShell, withConfig } from '../../controller/sources/git-auth.ts';

const auth = suite('git credentials');

auth('the askpass script answers the user name and the token from the child environment only', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'fw-auth-'));
  try {
    const build = await prepareGitEnvironment({ kind: 'token', token: 'tkn-123' }, dir, { PATH: process.env.PATH, HOME: '/home/x', SECRET_OF_HOST: 'no' });
    const env = await build();
    assert.is(env.GIT_CONFIG_GLOBAL, '/dev/null');
    assert.is(env.GIT_TERMINAL_PROMPT, '0');
    assert.is(env.HOME, '/home/x');
    assert.is(env.SECRET_OF_HOST, undefined);
    const script = env.GIT_ASKPASS!;
    assert.not.match(readFileSync(script, 'utf8'), 'tkn-123');
    assert.is(statSync(script).mode & 0o777, 0o700);
    assert.is(execFileSync(script, ["Username for 'https://example.com': "], { env, encoding: 'utf8' }), 'x-access-token\n');
    assert.is(execFileSync(script, ["Password for 'https://x-access-token@example.com': "], { env, encoding: 'utf8' }), 'tkn-123\n');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

auth('a token file is read for every command, so a rotated secret is used', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'fw-auth-'));
  try {
    writeFileSync(join(dir, 'token'), 'first\n');
    const build = await prepareGitEnvironment({ kind: 'token', tokenFile: join(dir, 'token'), username: 'oauth2' }, dir, {});
    assert.is((await build()).FIRMWARDEN_GIT_ASKPASS_SECRET, 'first');
    writeFileSync(join(dir, 'token'), 'second');
    const env = await build();
    assert.is(env.FIRMWARDEN_GIT_ASKPASS_SECRET, 'second');
    assert.is(env.FIRMWARDEN_GIT_ASKPASS_USER, 'oauth2');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

auth('an ssh key is used through a private copy with host keys checked', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'fw-auth-'));
  try {
    writeFileSync(join(dir, 'mounted-key'), 'KEY', { mode: 0o644 });
    const env = await (await prepareGitEnvironment({ kind: 'ssh', keyFile: join(dir, 'mounted-key'), knownHostsFile: '/etc/known hosts' }, dir, {}))();
    assert.is(env.GIT_SSH_COMMAND, `ssh -i '${join(dir, 'ssh-key')}' -o IdentitiesOnly=yes -o BatchMode=yes -o StrictHostKeyChecking=yes -o UserKnownHostsFile='/etc/known hosts'`);
    assert.is(statSync(join(dir, 'ssh-key')).mode & 0o777, 0o600);
    assert.is(env.GIT_ASKPASS, undefined);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

auth('shell quoting survives quotes in paths', () => {
  assert.is(quoteForShell("it's"), `'it'\\''s'`);
  assert.is(execFileSync('sh', ['-c', `printf %s ${quoteForShell("a 'b' $c")}`], { encoding: 'utf8' }), "a 'b' $c");
  assert.is(buildSshCommand('/k'), "ssh -i '/k' -o IdentitiesOnly=yes -o BatchMode=yes -o StrictHostKeyChecking=yes");
});

auth('config settings go through GIT_CONFIG_COUNT, appended after existing ones', () => {
  assert.equal(withConfig({ GIT_CONFIG_COUNT: '1', GIT_CONFIG_KEY_0: 'a.b', GIT_CONFIG_VALUE_0: 'x' }, [['gpg.ssh.allowedSignersFile', '/f']]), {
    GIT_CONFIG_COUNT: '2', GIT_CONFIG_KEY_0: 'a.b', GIT_CONFIG_VALUE_0: 'x', GIT_CONFIG_KEY_1: 'gpg.ssh.allowedSignersFile', GIT_CONFIG_VALUE_1: '/f',
  });
});

const embedded = suite('hasEmbeddedCredentials');

const urls: [string, boolean][] = [
  ['https://github.com/org/config.git', false],
  ['https://token@github.com/org/config.git', true],
  ['https://user:pass@github.com/org/config.git', true],
  ['ssh://git@github.com/org/config.git', false],
  ['git@github.com:org/config.git', false],
  ['/srv/git/config.git', false],
];
for (const [url, expected] of urls) {
  embedded(`${url} → ${expected}`, () => assert.is(hasEmbeddedCredentials(url), expected));
}

auth.run();
embedded.run();
