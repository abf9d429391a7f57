// Pure webhook checks: signatures, tokens, branches.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { isEqualConstantTime, readPushedBranch, signWebhookBody, verifyWebhook } from '../../controller/server/webhook-auth.ts';

const body = Buffer.from('{"ref":"refs/heads/main"}');
const secret = 'hook-secret';

const verify = suite('verifyWebhook');

const cases: [string, Record<string, string>, string][] = [
  ['a GitHub signature of the body', { 'x-hub-signature-256': signWebhookBody(secret, body) }, 'ok:signature'],
  ['an upper-case hex signature', { 'x-hub-signature-256': signWebhookBody(secret, body).toUpperCase().replace('SHA256', 'sha256') }, 'ok:signature'],
  ['a signature made with another secret', { 'x-hub-signature-256': signWebhookBody('other', body) }, 'mismatch'],
  ['a signature of another body', { 'x-hub-signature-256': signWebhookBody(secret, 'x') }, 'mismatch'],
  ['a malformed signature', { 'x-hub-signature-256': 'sha1=abc' }, 'malformed'],
  ['the token header', { 'x-firmwarden-token': secret }, 'ok:token'],
  ["GitLab's token header", { 'x-gitlab-token': secret }, 'ok:token'],
  ['a wrong token', { 'x-firmwarden-token': 'hook-secreT' }, 'mismatch'],
  ['a token prefix', { 'x-firmwarden-token': 'hook' }, 'mismatch'],
  ['no credentials', {}, 'missing'],
  ['a wrong signature even with a right token', { 'x-hub-signature-256': signWebhookBody('other', body), 'x-firmwarden-token': secret }, 'mismatch'],
];
for (const [name, headers, expected] of cases) {
  verify(`${name} → ${expected}`, () => {
    const verdict = verifyWebhook(headers, body, secret);
    assert.is(verdict.ok ? `ok:${verdict.method}` : verdict.reason, expected);
  });
}

const branch = suite('readPushedBranch');

branch('reads the pushed branch from JSON or form-encoded events; nothing otherwise', () => {
  assert.is(readPushedBranch(body, 'application/json'), 'main');
  assert.is(readPushedBranch(Buffer.from(`payload=${encodeURIComponent('{"ref":"refs/heads/dev"}')}`), 'application/x-www-form-urlencoded'), 'dev');
  assert.is(readPushedBranch(Buffer.from('{"ref":"refs/tags/v1"}'), 'application/json'), undefined);
  assert.is(readPushedBranch(Buffer.from('not json'), 'application/json'), undefined);
  assert.is(readPushedBranch(Buffer.alloc(0), undefined), undefined);
});

const equal = suite('isEqualConstantTime');

equal('equal only for equal strings, whatever the lengths', () => {
  assert.ok(isEqualConstantTime('abc', 'abc'));
  assert.not.ok(isEqualConstantTime('abc', 'abcd'));
  assert.not.ok(isEqualConstantTime('', 'a'));
});

verify.run();
branch.run();
equal.run();
