// git's messages mapped to failure kinds (the environment forces English).
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { classifyGitFailure, summarizeGitMessage, toSourceError } from '../../controller/sources/git-errors.ts';

const classify = suite('classifyGitFailure');

const cases: [string, string][] = [
  ["fatal: unable to access 'http://127.0.0.1:1/x/': Failed to connect to 127.0.0.1 port 1: Connection refused", 'unreachable'],
  ["fatal: unable to access 'https://h/x/': Could not resolve host: h", 'unreachable'],
  ['fatal: Could not read from remote repository.', 'unreachable'],
  ["fatal: unable to access 'https://h/x/': The requested URL returned error: 503", 'unreachable'],
  ["fatal: Authentication failed for 'https://h/x/'", 'auth'],
  ["fatal: could not read Username for 'https://h': terminal prompts disabled", 'auth'],
  ['git@h: Permission denied (publickey).\nfatal: Could not read from remote repository.', 'auth'],
  ['Host key verification failed.\nfatal: Could not read from remote repository.', 'auth'],
  ["fatal: couldn't find remote ref nope", 'branch-not-found'],
  [" ! [rejected]        HEAD -> main (fetch first)\nerror: failed to push some refs to 'h'", 'push-rejected'],
  [' ! [remote rejected] HEAD -> main (cannot lock ref)', 'push-rejected'],
  // A lock in our own clone (a killed git): not the remote's refusal, and no push retry clears it.
  ["error: cannot lock ref 'refs/heads/main': Unable to create '/data/clone/.git/refs/heads/main.lock': File exists.", 'local-lock'],
  ["fatal: Unable to create '/data/clone/.git/index.lock': File exists.", 'local-lock'],
  // A protected branch: pushing again cannot help, unlike a race.
  ['remote: main is protected        \n ! [remote rejected] HEAD -> main (pre-receive hook declined)\nerror: failed to push some refs', 'push-refused'],
  ['remote: error: GH006: Protected branch update failed for refs/heads/main.\n ! [remote rejected] main -> main (protected branch hook declined)', 'push-refused'],
  ['remote: GitLab: You are not allowed to push code to protected branches on this project.', 'push-refused'],
  ['fatal: something else entirely', 'other'],
];
for (const [message, kind] of cases) {
  classify(`${kind}: ${message.split('\n')[0]!.slice(0, 60)}`, () => assert.is(classifyGitFailure(message), kind));
}

const wrap = suite('toSourceError');

wrap('maps kinds to reasons and retryability, keeping the cause and one line of detail', () => {
  const cause = new Error("hint: do this\nfatal: Authentication failed for 'https://h/x/'\n");
  const error = toSourceError(cause, 'fetching main');
  assert.is(error.reason, 'AuthenticationFailed');
  assert.not.ok(error.retryable);
  assert.is(error.cause, cause);
  assert.is(error.message, "fetching main: the remote refused the credentials (fatal: Authentication failed for 'https://h/x/')");
  assert.ok(toSourceError(new Error('fatal: Connection refused'), 'x').retryable);
  assert.is(summarizeGitMessage('x'.repeat(400)).length, 300);
});

wrap('a refused push names what the server said and the way out, and is not retryable', () => {
  const error = toSourceError(new Error('remote: main is protected   \nTo h\n ! [remote rejected] HEAD -> main (pre-receive hook declined)\nerror: failed to push some refs to h'), 'pushing the status commit');
  assert.is(error.reason, 'StatusWriteFailed');
  assert.not.ok(error.retryable);
  assert.match(error.message, '[remote rejected] HEAD -> main (pre-receive hook declined); remote said: main is protected');
  assert.match(error.message, '--status-branch');
});

wrap('a lock left in the clone says so instead of blaming the remote', () => {
  const error = toSourceError(new Error("error: cannot lock ref 'refs/heads/main': Unable to create '/d/.git/refs/heads/main.lock': File exists."), 'resetting to origin/main');
  assert.is(error.reason, 'SourceUnavailable');
  assert.ok(error.retryable);
  assert.match(error.message, "a lock file is left in the controller's clone");
  assert.not.match(error.message, 'rejected the push');
});

classify.run();
wrap.run();
