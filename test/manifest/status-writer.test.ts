// replaceStatus rewrites one document's status and nothing else: everything outside the
// status block stays byte for byte, in LF and CRLF files, with or without a previous status.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { parseAllDocuments } from 'yaml';
import { replaceStatus } from '../../controller/manifest/status-writer.ts';

const status = {
  observedGeneration: 3,
  conditions: [{ type: 'Ready', status: 'True', reason: 'UpToDate', message: 'all 12 devices: on 1.14.2', lastTransitionTime: '2026-11-22T08:00:00Z' }],
  counts: { upToDate: 12 },
};

const policy = `# yaml-language-server: $schema=../../schemas/updatepolicy.schema.json
# The general fleet.
apiVersion: firmwarden.dev/v1alpha1
kind: UpdatePolicy
metadata:
  name: general   # keep this comment
spec:
  software:
    firmware: { mode: automatic, phase: General }   # flow style kept

  maintenanceWindows:
    - name: weeknights
      start: "22:00"
      end: '05:00'
`;

/** The text with the status block (from `status:` to the end of its indented lines) removed. */
function withoutStatus(text: string): string {
  return text.replace(/^status:.*(\r?\n(?:[ \t].*|)(?=\r?\n))*\r?\n?/m, '');
}

/** replaceStatus's new text; fails the test when it refuses. */
function write(text: string, docIndex: number, value: Record<string, unknown> | undefined): string {
  const result = replaceStatus(text, docIndex, value);
  if (!result.ok) assert.unreachable(`refused: ${result.reason}`);
  return result.ok ? result.text : '';
}

function docsOf(text: string): unknown[] {
  return (parseAllDocuments(text) as unknown as { toJS(): unknown }[]).map((d) => d.toJS());
}

test('adds a status after the last line, leaving every other byte alone', () => {
  const out = write(policy, 0, status);
  assert.ok(out.startsWith(policy), 'the original text is a prefix');
  assert.equal((docsOf(out)[0] as { status: unknown }).status, status);
  assert.ok(out.endsWith('\n'));
});

test('replaces an existing status in place; the text before and after is unchanged', () => {
  const before = policy.replace('spec:', 'status:\n  observedGeneration: 1\n  conditions: []   # old\nspec:');
  const out = write(before, 0, status);
  const head = before.slice(0, before.indexOf('status:'));
  const tail = before.slice(before.indexOf('spec:'));
  assert.ok(out.startsWith(head));
  assert.ok(out.endsWith(tail));
  assert.equal((docsOf(out)[0] as { status: unknown }).status, status);
  assert.is(withoutStatus(out), withoutStatus(before));
});

test('is idempotent: writing the same status twice gives the same text', () => {
  const once = write(policy, 0, status);
  assert.is(write(once, 0, status), once);
});

test('removes the status when given undefined', () => {
  const withStatus = write(policy, 0, status);
  assert.is(write(withStatus, 0, undefined), policy);
  assert.is(write(policy, 0, undefined), policy);
});

test('touches only the document it is asked to, in a multi-document file', () => {
  const a = 'apiVersion: firmwarden.dev/v1alpha1\nkind: DeviceGroup\nmetadata: {name: a}\nstatus:\n  devices: 1\n';
  const b = '# second\napiVersion: firmwarden.dev/v1alpha1\nkind: DeviceGroup\nmetadata: {name: b}\n';
  const c = 'apiVersion: firmwarden.dev/v1alpha1\nkind: DeviceGroup\nmetadata: {name: c}\nstatus: {devices: 9}';
  const text = `${a}---\n${b}---\n${c}`;
  const out1 = write(text, 1, { devices: 5 });
  assert.is(out1, `${a}---\n${b}status:\n  devices: 5\n---\n${c}`);
  const out2 = write(text, 2, { devices: 7 });
  assert.is(out2, `${a}---\n${b}---\n${c.replace('status: {devices: 9}', 'status:\n  devices: 7')}`);
  const out0 = write(text, 0, { devices: 2 });
  assert.is(out0, text.replace('devices: 1', 'devices: 2'));
});

test('keeps CRLF line ends, in the new block too', () => {
  const crlf = policy.replaceAll('\n', '\r\n');
  const out = write(crlf, 0, status);
  assert.ok(out.startsWith(crlf));
  assert.not.match(out.replaceAll('\r\n', ''), /\n/);
  assert.equal((docsOf(out)[0] as { status: unknown }).status, status);
  const again = write(out, 0, { devices: 1 });
  assert.ok(again.startsWith(crlf));
  assert.not.match(again.replaceAll('\r\n', ''), /\n/);
});

test('a status key with no value is replaced', () => {
  const text = 'a: 1\nstatus:\nb: 2\n';
  assert.is(write(text, 0, { devices: 1 }), 'a: 1\nstatus:\n  devices: 1\nb: 2\n');
});

test('comments between status and the next key stay', () => {
  const text = 'a: 1\nstatus:\n  devices: 1\n# about b\nb: 2\n';
  assert.is(write(text, 0, { devices: 4 }), 'a: 1\nstatus:\n  devices: 4\n# about b\nb: 2\n');
});

test('a block scalar at the end keeps its trailing lines', () => {
  const text = 'a: 1\nnote: |+\n  kept\n\n';
  const out = write(text, 0, { devices: 1 });
  assert.is((docsOf(out)[0] as { note: string }).note, (docsOf(text)[0] as { note: string }).note);
});

test('a file without a final line break gets the status on a new line', () => {
  assert.is(write('a: 1', 0, { devices: 1 }), 'a: 1\nstatus:\n  devices: 1');
});

test('a flow-style root mapping is rewritten as a whole', () => {
  const out = write('{a: 1, b: 2}\n', 0, { devices: 1 });
  assert.equal(docsOf(out)[0], { a: 1, b: 2, status: { devices: 1 } });
});

// Issue 18: a CRLF file whose last line ends in a bare CR was rewritten into YAML that no
// longer parsed (the CR glued onto the new last line: `status: "True"\r`), and in Git mode
// that file was committed and pushed.
const bareCrFile =
  'apiVersion: firmwarden.dev/v1alpha1\r\nkind: DeviceGroup\r\nmetadata:\r\n  name: lab\r\nspec:\r\n  priority: 100\r\n' +
  'status:\r\n  devices: 3\r';

test('a CRLF file whose last line ends in a bare CR still parses after the status is replaced', () => {
  const out = write(bareCrFile, 0, status);
  const [doc, ...rest] = parseAllDocuments(out);
  assert.is(rest.length, 0);
  assert.equal(doc!.errors, []);
  assert.equal(doc!.toJS(), { ...(docsOf(bareCrFile)[0] as object), status });
  // The rewritten last line gets the file's CRLF; everything before the status is untouched.
  assert.ok(out.startsWith(bareCrFile.slice(0, bareCrFile.indexOf('status:'))));
  assert.ok(out.endsWith('\r\n'));
  assert.not.match(out.replaceAll('\r\n', ''), /[\r\n]/);
  assert.is(write(out, 0, status), out, 'writing it again changes nothing');
});

test('a status last line ending in a bare CR reads back as the number written, not "4\\r"', () => {
  const out = write(bareCrFile, 0, { devices: 4 });
  assert.equal((docsOf(out)[0] as { status: unknown }).status, { devices: 4 });
});

test('a document whose last line ends in a bare CR gets its status on new CRLF lines', () => {
  const text = 'apiVersion: firmwarden.dev/v1alpha1\r\nkind: DeviceGroup\r\nmetadata:\r\n  name: lab\r\nspec:\r\n  priority: 100 # high\r';
  const out = write(text, 0, { devices: 4 });
  assert.is(out, `${text}\r\nstatus:\r\n  devices: 4\r\n`);
  assert.equal(docsOf(out)[0], { ...(docsOf(text)[0] as object), status: { devices: 4 } });
});

test('the new block takes the line break most lines use: a stray CRLF in an LF file does not win', () => {
  const text = policy.replace('kind: UpdatePolicy\n', 'kind: UpdatePolicy\r\n');
  const out = write(text, 0, { devices: 1 });
  assert.is(out, `${text}status:\n  devices: 1\n`);
  const crlf = policy.replaceAll('\n', '\r\n').replace('kind: UpdatePolicy\r\n', 'kind: UpdatePolicy\n');
  assert.is(write(crlf, 0, { devices: 1 }), `${crlf}status:\r\n  devices: 1\r\n`);
});

test('a block scalar on a last line ending in a bare CR keeps its text', () => {
  // yaml reads that CR as the block scalar's line break, unlike after a plain value.
  const text = 'kind: DeviceGroup\r\nspec:\r\n  description: |\r\n    Lab devices.\r';
  const out = write(text, 0, { devices: 4 });
  assert.is(out, 'kind: DeviceGroup\r\nspec:\r\n  description: |\r\n    Lab devices.\r\nstatus:\r\n  devices: 4\r\n');
  assert.equal(docsOf(out)[0], { kind: 'DeviceGroup', spec: { description: 'Lab devices.\n' }, status: { devices: 4 } });
});

test('refuses, and names why, a rewrite that would not read back: two status keys in one document', () => {
  // yaml keeps the last of duplicate keys; the writer replaces the first, so the check sees
  // the written status is not what the file would say.
  const text = 'kind: DeviceGroup\nstatus:\n  devices: 1\nspec: {}\nstatus:\n  devices: 2\n';
  const result = replaceStatus(text, 0, { devices: 3 });
  assert.ok(!result.ok);
  assert.match(result.ok ? '' : result.reason, /document 0's status would not read back as the status written.*left as it was/);
});

test('a UTF-8 byte order mark does not indent the status', () => {
  const text = '\uFEFFstatus:\n  devices: 1\nkind: DeviceGroup\n';
  assert.is(write(text, 0, { devices: 2, phase: 'General' }), '\uFEFFstatus:\n  devices: 2\n  phase: General\nkind: DeviceGroup\n');
});

test('a comment after a one-line status goes with it, so writing the same status again changes nothing', () => {
  // Found by the property test: the comment stayed after the new block's last line, where it
  // became part of the status value, and the second write dropped it.
  const text = 'kind: UpdatePolicy\nstatus: {devices: 2}   # old\nspec: {}\n';
  const once = write(text, 0, { conditions: [] });
  assert.is(once, 'kind: UpdatePolicy\nstatus:\n  conditions: []\nspec: {}\n');
  assert.is(write(once, 0, { conditions: [] }), once);
  const crlf = write('kind: UpdatePolicy\r\nspec: {}\r\nstatus: 1 # old\r', 0, { devices: 1 });
  assert.is(crlf, 'kind: UpdatePolicy\r\nspec: {}\r\nstatus:\r\n  devices: 1\r\n');
});

test('a comment line indented under a one-line status stays where it is, write after write', () => {
  // Found by the property test: a block status's range takes in the indented comment lines
  // after it, so they counted as status and the self-check refused the rewrite.
  const text = 'kind: UpdatePolicy\nstatus: {devices: 2}\n    # note\n---\nkind: DeviceGroup\n';
  const once = write(text, 0, { conditions: [] });
  assert.is(once, 'kind: UpdatePolicy\nstatus:\n  conditions: []\n    # note\n---\nkind: DeviceGroup\n');
  assert.is(write(once, 0, { conditions: [] }), once);
  assert.is(write(once, 0, { devices: 1 }), once.replace('conditions: []', 'devices: 1'));
});

test('an LF file whose last line ends in a bare CR keeps what yaml reads there', () => {
  // yaml reads `latest\r`; an LF right after that CR would make it a CRLF break and the value `latest`.
  const text = 'kind: ScheduledUpdate\nspec:\n  version: latest   # pinned\r';
  const out = write(text, 0, { devices: 1 });
  assert.equal(docsOf(out)[0], { ...(docsOf(text)[0] as object), status: { devices: 1 } });
  assert.is(out, `${text}\r\nstatus:\n  devices: 1\n`);
});

test('refuses, with a reason, a document that does not exist, is not a mapping, or has YAML errors', () => {
  const reasons = [
    ['a: 1\n', 1, /document 1 does not exist \(the file has 1\)/],
    ['- a\n', 0, /document 0 is not a mapping/],
    ['a: [\n', 0, /document 0 has YAML errors: .*fix the YAML/],
    ['', 0, /document 0 does not exist/],
  ] as const;
  for (const [text, docIndex, reason] of reasons) {
    const result = replaceStatus(text, docIndex, status);
    assert.ok(!result.ok, JSON.stringify(text));
    assert.match(result.ok ? '' : result.reason, reason);
  }
});

test('status values that look like other types are quoted so they read back as text', () => {
  const out = write('a: 1\n', 0, { conditions: [{ status: 'True', reason: 'yes', message: '1.10' }] });
  assert.equal((docsOf(out)[0] as { status: unknown }).status, { conditions: [{ status: 'True', reason: 'yes', message: '1.10' }] });
});

test.run();
