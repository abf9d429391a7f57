// The status commit's message and trailer.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { checkStatusMessageTemplate, formatStatusCommitMessage, hasStatusTrailer } from '../../controller/sources/status-commit-message.ts';

const message = suite('status commit message');

message('subject on one line carrying [skip ci] by default, trailers in the last paragraph', () => {
  const text = formatStatusCommitMessage('3 groups\nready ', 'abc123');
  assert.is(text, 'status: 3 groups ready [skip ci]\n\nFirmwarden-Status: true\nFirmwarden-Revision: abc123\n');
  assert.ok(hasStatusTrailer(text));
  assert.is(formatStatusCommitMessage('   ', 'r').split('\n')[0], 'status: update [skip ci]');
});

message('a long summary is shortened so the subject fits in 100 characters and keeps [skip ci]', () => {
  const subject = formatStatusCommitMessage('x'.repeat(200), 'r').split('\n')[0]!;
  assert.ok(subject.length <= 100, `${subject.length}`);
  assert.ok(subject.endsWith('x… [skip ci]'), subject);
});

const templates = suite('status message templates');

const cases: [string, string, string][] = [
  ['placeholders filled', 'chore(status): {summary} @ {shortRevision} on {branch} [ci skip]', 'chore(status): 2 up to date @ 0123456789ab on fw-status [ci skip]\n\nFirmwarden-Status: true\nFirmwarden-Revision: 0123456789abcdef\n'],
  ['a body after the first line, before the trailers', 'status: {summary}\n\nSpec {revision}.\nSkip-Checks: true', 'status: 2 up to date\n\nSpec 0123456789abcdef.\nSkip-Checks: true\n\nFirmwarden-Status: true\nFirmwarden-Revision: 0123456789abcdef\n'],
  ['no placeholder at all', 'Firmwarden status [skip ci]', 'Firmwarden status [skip ci]\n\nFirmwarden-Status: true\nFirmwarden-Revision: 0123456789abcdef\n'],
];
for (const [name, template, expected] of cases) {
  templates(name, () => {
    assert.is(checkStatusMessageTemplate(template), undefined);
    const text = formatStatusCommitMessage('2 up to date', '0123456789abcdef', { template, branch: 'fw-status' });
    assert.is(text, expected);
    assert.ok(hasStatusTrailer(text));
  });
}

const refusals: [string, string, RegExp][] = [
  ['an unknown placeholder is named with the known ones', 'status: {sumary}', /unknown placeholder \{sumary\} \(use \{summary\}, \{revision\}, \{shortRevision\}, \{branch\}\)/],
  ['an empty subject', '\nbody', /subject\) is empty/],
  ['a control character', 'status: {summary}\u001b[31m', /control character/],
];
for (const [name, template, why] of refusals) {
  templates(`refused: ${name}`, () => assert.match(checkStatusMessageTemplate(template) ?? '', why));
}

message('a trailer only counts in the closing paragraph of a message with a body', () => {
  assert.not.ok(hasStatusTrailer('Firmwarden-Status: true'));
  assert.not.ok(hasStatusTrailer('fix\n\nFirmwarden-Status: true\n\nmore text'));
  assert.not.ok(hasStatusTrailer('fix\n\nFirmwarden-Status: false'));
  assert.ok(hasStatusTrailer('fix\n\nSigned-off-by: a\nFirmwarden-Status: true\n'));
});

message.run();
templates.run();
