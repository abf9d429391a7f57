import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import {
  escapeMarkdown, escapeText, escapeWorkflowData, escapeWorkflowProperty, escapeXml, joinLines, markdownCode, safeLine, stringifyJson,
} from '../../controller/output/escape.ts';
import { assertNoRawControls, assertNoWorkflowCommand, assertWellFormedXml, hostile } from '../support/hostile.ts';

const Text = suite('escapeText');
const textCases: [string, string, string][] = [
  ['plain text is unchanged', 'rooms-paris 1.2.3 é ✓', 'rooms-paris 1.2.3 é ✓'],
  ['LF, CR and TAB read as \\n, \\r and \\t', 'a\nb\rc\td', 'a\\nb\\rc\\td'],
  ['ESC and BEL read as \\x1b and \\x07', '\x1b]8;;http://x\x07', '\\x1b]8;;http://x\\x07'],
  ['NUL, DEL and the C1 CSI read as \\x escapes', '\u0000\u007f\u009b', '\\x00\\x7f\\x9b'],
  ['line and paragraph separators read as \\u escapes', '\u2028\u2029', '\\u2028\\u2029'],
  ['bidi overrides, isolates and marks read as \\u escapes', '\u202a\u202e\u2066\u2069\u200e\u200f\u061c', '\\u202a\\u202e\\u2066\\u2069\\u200e\\u200f\\u061c'],
  ['backslashes are left as they are', 'a\\nb', 'a\\nb'],
  ['a leading :: and ##[ anywhere are defused (workflow commands)', ' ::a ##[b', ' \\x3a:a #\\x23[b'],
  ['a :: later in the value is left alone', 'a::b', 'a::b'],
];
for (const [name, input, expected] of textCases) Text(name, () => assert.is(escapeText(input), expected));
Text('no hostile value leaves a raw control character', () => {
  for (const [what, value] of hostile) assertNoRawControls(escapeText(value), what);
});

const Line = suite('safeLine and joinLines');
const lineCases: [string, string, string][] = [
  ['a leading :: is defused, blanks before it too', '  ::error::x', '  \\x3a:error::x'],
  ['a :: later in the line is left alone', 'a ::error::x', 'a ::error::x'],
  ['a lone leading colon is left alone', ':x', ':x'],
  ['##[ is defused anywhere', 'a ##[error]b ###[c', 'a #\\x23[error]b ##\\x23[c'],
  ['tabs are kept (source excerpts align on them)', 'a\tb', 'a\tb'],
  ['a newline inside a line is escaped', 'a\nb', 'a\\nb'],
];
for (const [name, input, expected] of lineCases) Line(name, () => assert.is(safeLine(input), expected));
Line('safeLine is idempotent', () => {
  for (const [, value] of hostile) assert.is(safeLine(safeLine(value)), safeLine(value));
});
Line('joinLines: one output line per line, none a workflow command', () => {
  for (const [what, value] of hostile) {
    const text = joinLines(['head', value, `  ${value}`]);
    assert.is(text.split('\n').length, 4, what);
    assertNoRawControls(text, what);
    assertNoWorkflowCommand(text, what);
  }
});

const Markdown = suite('escapeMarkdown and markdownCode');
const mdCases: [string, string, string][] = [
  ['a pipe cannot end a table cell', 'a|b', 'a\\|b'],
  ['HTML is text', '<script>', '\\<script\\>'],
  ['a link is text', '[a](http://x)', '\\[a\\](http\\://x)'],
  ['a bare URL, a www. name and an e-mail address are not autolinked', 'https://evil.example www.evil.example a@evil.example', 'https\\://evil.example www\\.evil.example a\\@evil.example'],
  ['www inside a word stays as it is', 'awww.b', 'awww.b'],
  ['an image is text', '![a](x)', '\\!\\[a\\](x)'],
  ['code spans, emphasis and strike-through are text', '`c` *e* _u_ ~s~', '\\`c\\` \\*e\\* \\_u\\_ \\~s\\~'],
  ['an entity is text', '&amp;', '\\&amp;'],
  ['a backslash stays a backslash', 'a\\b', 'a\\\\b'],
  ['a control character is a visible escape after the Markdown escapes', 'a\nb', 'a\\nb'],
  ['names and versions read as they are', 'general-paris 1.2.3 (Bar)', 'general-paris 1.2.3 (Bar)'],
];
for (const [name, input, expected] of mdCases) Markdown(name, () => assert.is(escapeMarkdown(input), expected));
const codeCases: [string, string, string][] = [
  ['plain text in one backtick', 'a.yaml:1:2 bad', '`a.yaml:1:2 bad`'],
  ['a backtick inside takes a longer fence', 'a`b', '``a`b``'],
  ['a backtick at an end is padded', '`a', '`` `a ``'],
  ['blanks at both ends are kept by padding', ' a ', '`  a  `'],
  ['a newline is a visible escape', 'a\nb', '`a\\nb`'],
];
for (const [name, input, expected] of codeCases) Markdown(`markdownCode: ${name}`, () => assert.is(markdownCode(input), expected));

const Workflow = suite('escapeWorkflowData and escapeWorkflowProperty');
const workflowCases: [string, string, string, string][] = [
  ['percent is encoded', '100%', '100%25', '100%25'],
  ['colon and comma are encoded in properties only', 'a:b,c', 'a:b,c', 'a%3Ab%2Cc'],
  ['a newline is a visible \\n, so a value cannot start a command line', 'x\n::error::y', 'x\\n::error::y', 'x\\n%3A%3Aerror%3A%3Ay'],
  ['ESC is a visible escape', 'x\x1b[31m', 'x\\x1b[31m', 'x\\x1b[31m'],
];
for (const [name, input, data, property] of workflowCases) {
  Workflow(name, () => {
    assert.is(escapeWorkflowData(input), data);
    assert.is(escapeWorkflowProperty(input), property);
  });
}

const Xml = suite('escapeXml');
Xml('markup characters become entities', () => assert.is(escapeXml(`<a b="c" d='e'>&`), '&lt;a b=&quot;c&quot; d=&apos;e&apos;&gt;&amp;'));
Xml('characters XML 1.0 forbids are visible escapes, not dropped', () => assert.is(escapeXml('a\u0001\ufffe\ud800b'), 'a\\x01\\ufffe\ufffdb'));
Xml('##[ is defused', () => assert.is(escapeXml('##[error]'), '#\\x23[error]'));
Xml('every hostile value makes a well-formed document, in text and in attributes', () => {
  for (const [what, value] of hostile) {
    const doc = `<?xml version="1.0" encoding="UTF-8"?>\n<r a="${escapeXml(value)}" b='${escapeXml(value)}'>${escapeXml(value)}</r>\n`;
    assertWellFormedXml(doc);
    assertNoRawControls(doc, what);
    assertNoWorkflowCommand(doc, what);
  }
});
Xml('the checker refuses what is not well-formed', () => {
  const bad = ['<r>&</r>', '<r>\u0001</r>', '<r a="<"/>', '<r><s></r>', '<r a="1" a="2"/>', '<r/><r/>', '<r>&amp</r>', 'x<r/>', '<r a="1"b="2"/>'];
  for (const doc of bad) assert.throws(() => assertWellFormedXml(doc), /not well-formed/, doc);
});

const Json = suite('stringifyJson');
Json('every hostile value round-trips and prints without raw controls or workflow commands', () => {
  for (const [what, value] of hostile) {
    const text = stringifyJson({ name: value, list: [value] });
    assert.equal(JSON.parse(text), { name: value, list: [value] }, what);
    assertNoRawControls(text, what);
    assertNoWorkflowCommand(text, what);
  }
});
Json('indents by two, as JSON.stringify does', () => assert.is(stringifyJson({ a: [1] }), '{\n  "a": [\n    1\n  ]\n}'));

Text.run();
Line.run();
Markdown.run();
Workflow.run();
Xml.run();
Json.run();
