// The status commit's message and trailer.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { formatStatusCommitMessage, hasStatusTrailer } from '../../controller/sources/status-commit-message.ts';

const message = suite('status commit message');

message('subject on one line, trailers in the last paragraph', () => {
  const text = formatStatusCommitMessage('3 groups\nready ', 'abc123');
  assert.is(text, 'status: 3 groups ready\n\nFirmwarden-Status: true\nFirmwarden-Revision: abc123\n');
  assert.ok(hasStatusTrailer(text));
  assert.is(formatStatusCommitMessage('x'.repeat(200), 'r').split('\n')[0]!.length, 100);
  assert.is(formatStatusCommitMessage('   ', 'r').split('\n')[0], 'status: update');
});

message('a trailer only counts in the closing paragraph of a message with a body', () => {
  assert.not.ok(hasStatusTrailer('Firmwarden-Status: true'));
  assert.not.ok(hasStatusTrailer('fix\n\nFirmwarden-Status: true\n\nmore text'));
  assert.not.ok(hasStatusTrailer('fix\n\nFirmwarden-Status: false'));
  assert.ok(hasStatusTrailer('fix\n\nSigned-off-by: a\nFirmwarden-Status: true\n'));
});

message.run();
