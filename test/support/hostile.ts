// Hostile values for output-injection tests, and the checks every human-readable output must
// pass when one of them goes through it.
import * as assert from 'uvu/assert';

/** [what it is, the value]: each tries to forge lines, reach the terminal or break a format. */
export const hostile: readonly (readonly [string, string])[] = [
  ['a newline and a workflow command', 'x\n::error::forged'],
  ['a carriage return', 'x\rcovered'],
  ['an ANSI colour', 'x\x1b[31mred'],
  ['an OSC 8 hyperlink', 'x\x1b]8;;http://x\x07click\x1b]8;;\x07'],
  ['a C1 control sequence introducer', 'x\x9b31m'],
  ['a line separator', 'x\u2028y'],
  ['a right-to-left override', 'x\u202egnp.exe'],
  ['an isolate', 'x\u2066y\u2069'],
  ['a NUL', 'x\u0000y'],
  ['DEL and NEL', 'x\u007f\u0085y'],
  ['a legacy workflow command mid-line', 'x ##[error]forged'],
  ['a leading workflow command', '::warning::forged'],
  ['Markdown table and HTML breakers', 'x|y <script>alert(1)</script> [a](http://x) `c` *e* &amp;'],
  ['percent, comma and colon', '100%,a:b'],
];

// What must never reach a human-readable output raw (tabs included: no value here has one).
const rawControl = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/u;

/** Fails when `text` has a control, separator or bidi character other than LF. */
export function assertNoRawControls(text: string, what: string): void {
  const m = rawControl.exec(text);
  assert.ok(!m, `${what}: raw U+${m?.[0].charCodeAt(0).toString(16).padStart(4, '0')} at ${m?.index}: ${JSON.stringify(text.slice(Math.max(0, (m?.index ?? 0) - 30), (m?.index ?? 0) + 30))}`);
}

/** Fails when a line of `text` is a workflow command GitHub Actions would obey (`::` after blanks, or `##[` anywhere). */
export function assertNoWorkflowCommand(text: string, what: string): void {
  for (const line of text.split('\n')) {
    assert.not.match(line, /^\s*::/, `${what}: a line starts a workflow command: ${JSON.stringify(line)}`);
    assert.not.ok(line.includes('##['), `${what}: a line holds a legacy workflow command: ${JSON.stringify(line)}`);
  }
}

// XML 1.0 Char production, and the names this checker accepts.
const xmlChar = /^[\t\n\r\u0020-\ud7ff\ue000-\ufffd\u{10000}-\u{10ffff}]*$/u;
const name = /[A-Za-z_:][-A-Za-z0-9_.:]*/y;
const reference = /&(?:[A-Za-z_][-A-Za-z0-9_.]*|#[0-9]+|#x[0-9a-fA-F]+);/y;

/** A strict well-formedness check of an XML 1.0 document with no DTD, CDATA, comments or processing instructions besides the declaration; throws with the offset of the first fault. */
export function assertWellFormedXml(text: string): void {
  const fail = (at: number, why: string): never => {
    throw new Error(`not well-formed XML at ${at}: ${why}: ${JSON.stringify(text.slice(at, at + 40))}`);
  };
  if (!xmlChar.test(text)) fail(text.search(/[^\t\n\r\u0020-\ud7ff\ue000-\ufffd]/u), 'a character XML 1.0 forbids');
  let i = 0;
  const declaration = /^<\?xml version="1\.0"( encoding="UTF-8")?\?>\n/.exec(text);
  if (declaration) i = declaration[0].length;
  const open: string[] = [];
  let roots = 0;
  // Character data and attribute values: no '<', and every '&' starts a reference.
  const chars = (end: number) => {
    while (i < end) {
      const c = text[i]!;
      if (c === '<') fail(i, 'a raw <');
      if (c === '&') {
        reference.lastIndex = i;
        if (!reference.test(text)) fail(i, 'an & that starts no reference');
        i = reference.lastIndex;
      } else i++;
    }
  };
  const readName = () => {
    name.lastIndex = i;
    const m = name.exec(text);
    if (!m) fail(i, 'a name expected');
    i = name.lastIndex;
    return m![0];
  };
  while (i < text.length) {
    if (text[i] !== '<') {
      const next = text.indexOf('<', i);
      const end = next < 0 ? text.length : next;
      if (open.length === 0 && text.slice(i, end).trim() !== '') fail(i, 'text outside the root element');
      chars(end);
      continue;
    }
    if (text[i + 1] === '/') {
      i += 2;
      const closing = readName();
      if (open.pop() !== closing) fail(i, `</${closing}> closes nothing open`);
      if (text[i] !== '>') fail(i, '> expected');
      i++;
      continue;
    }
    i++;
    const element = readName();
    if (open.length === 0 && roots++ > 0) fail(i, 'a second root element');
    const seen = new Set<string>();
    for (;;) {
      const blank = /\s*/y;
      blank.lastIndex = i;
      blank.exec(text);
      const spaced = blank.lastIndex > i;
      i = blank.lastIndex;
      if (text.startsWith('/>', i)) { i += 2; break; }
      if (text[i] === '>') { i++; open.push(element); break; }
      if (!spaced) fail(i, 'a blank expected before an attribute');
      const attribute = readName();
      if (seen.has(attribute)) fail(i, `attribute ${attribute} twice`);
      seen.add(attribute);
      if (text[i] !== '=') fail(i, '= expected');
      const quote = text[i + 1];
      if (quote !== '"' && quote !== "'") fail(i, 'a quoted value expected');
      i += 2;
      const close = text.indexOf(quote!, i);
      if (close < 0) fail(i, 'an unterminated attribute value');
      chars(close);
      i = close + 1;
    }
  }
  if (open.length > 0) fail(text.length, `<${open.at(-1)}> left open`);
  if (roots !== 1) fail(0, 'no root element');
}
