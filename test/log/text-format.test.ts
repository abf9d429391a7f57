import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { createTextFormatter } from '../../controller/log/text-format.ts';
import { createLogger } from '../../controller/log/logger.ts';

const format = createTextFormatter({ timeZone: 'Europe/Berlin' });
const line = (record: Record<string, unknown>) => format(JSON.stringify({ level: 30, time: '2027-01-08T11:04:31.207Z', name: 'firmwarden', ...record }));

const text = suite('createTextFormatter');

const cases: ReadonlyArray<{ name: string; record: Record<string, unknown>; expected: string }> = [
  {
    name: 'local time, level, component, message, then the fields in their order',
    record: { component: 'dir-source', dir: '/srv/config', files: 17, specChanged: true, msg: 'read new revision' },
    expected: '12:04:31.207 INFO  dir-source read new revision dir=/srv/config files=17 specChanged=true\n',
  },
  {
    name: 'a record without a component has the message after the level',
    record: { level: 40, msg: 'stopping' },
    expected: '12:04:31.207 WARN  stopping\n',
  },
  {
    name: 'a value with a blank or a quote is quoted as JSON, a plain word is not',
    record: { level: 50, component: 'graph', reason: 'token "expired" now', code: 'E_TOKEN', msg: 'sign-in failed' },
    expected: '12:04:31.207 ERROR graph sign-in failed reason="token \\"expired\\" now" code=E_TOKEN\n',
  },
  {
    name: 'an empty string is quoted so that it is seen',
    record: { level: 20, component: 'source', note: '', msg: 'read' },
    expected: '12:04:31.207 DEBUG source read note=""\n',
  },
  {
    name: 'objects and arrays are compact JSON, null stays null',
    record: { component: 'plan', ids: ['a', 'b'], window: { from: '22:00' }, last: null, msg: 'planned' },
    expected: '12:04:31.207 INFO  plan planned ids=["a","b"] window={"from":"22:00"} last=null\n',
  },
  {
    name: 'an error is its type, message and code on the same line, without the stack',
    record: { level: 50, component: 'source', err: { type: 'SourceError', message: 'fetch failed', stack: 'SourceError: fetch failed\n    at x', code: 'ENOTFOUND' }, msg: 'sync failed' },
    expected: '12:04:31.207 ERROR source sync failed err="SourceError: fetch failed (ENOTFOUND)"\n',
  },
  {
    name: 'a newline or an escape sequence in a value cannot forge a line or reach the terminal',
    record: { component: 'fleet-view', displayName: 'Room 1\n12:00:00.000 ERROR forged\u001b[2J', msg: 'device read' },
    expected: '12:04:31.207 INFO  fleet-view device read displayName="Room 1\\n12:00:00.000 ERROR forged\\u001b[2J"\n',
  },
  {
    name: 'control characters in a key or the message are made visible too',
    record: { component: 'x\u001b]0;t\u0007', msg: 'm\nn', 'k\r': 1 },
    expected: '12:04:31.207 INFO  x\\x1b]0;t\\x07 m\\nn k\\r=1\n',
  },
];
for (const c of cases) text(c.name, () => assert.is(line(c.record), c.expected));

text('the time is shown in the given time zone, across a daylight-saving change', () => {
  const ny = createTextFormatter({ timeZone: 'America/New_York' });
  assert.is(ny('{"level":30,"time":"2027-03-14T06:59:59.999Z","msg":"a"}'), '01:59:59.999 INFO  a\n');
  assert.is(ny('{"level":30,"time":"2027-03-14T07:00:00.000Z","msg":"b"}'), '03:00:00.000 INFO  b\n');
});

text('the level is coloured only when asked, and its word stays', () => {
  const coloured = createTextFormatter({ timeZone: 'UTC', colour: true });
  assert.is(coloured('{"level":40,"time":"2027-01-08T11:04:31.207Z","msg":"a"}'), '11:04:31.207 \x1b[33mWARN \x1b[0m a\n');
});

text('a line that is not a record is kept, escaped', () => {
  assert.is(format('not json \u001b[31m\n'), 'not json \\x1b[31m\n');
});

const logger = suite('createLogger');

function capture(format: 'text' | 'json') {
  const lines: string[] = [];
  const log = createLogger({ format, level: 'debug', text: { timeZone: 'UTC' }, destination: { write: (s: string) => void lines.push(s) } });
  return { log, lines };
}

logger('text: one line per record, written at once (no worker thread)', () => {
  const { log, lines } = capture('text');
  log.child({ component: 'loop' }).info({ reconcileId: 3 }, 'reconciled');
  // Nothing awaited: the line is there synchronously.
  assert.is(lines.length, 1);
  assert.match(lines[0]!, /^\d\d:\d\d:\d\d\.\d{3} INFO  loop reconciled reconcileId=3\n$/);
});

for (const format of ['text', 'json'] as const) {
  logger(`${format}: secrets are redacted, at the top and one level down`, () => {
    const { log, lines } = capture(format);
    log.info({ clientSecret: 'hunter2', auth: { token: 's3cr3t', kind: 'bearer' }, headers: { authorization: 'Bearer abc' } }, 'signing in');
    const out = lines.join('');
    assert.not.match(out, /hunter2|s3cr3t|Bearer abc/);
    assert.match(out, /\[redacted\]/);
    assert.match(out, /bearer/);
  });
}

logger('json stays the default', () => {
  const lines: string[] = [];
  createLogger({ destination: { write: (s: string) => void lines.push(s) } }).info({ a: 1 }, 'hello');
  const record = JSON.parse(lines[0]!) as Record<string, unknown>;
  assert.is(record.msg, 'hello');
  assert.is(record.a, 1);
});

text.run();
logger.run();
