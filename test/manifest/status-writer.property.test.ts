// Property tests of the status writer (issue 18). Generated manifest files: several documents
// of our three kinds with varied specs, comments on their own lines and after values, with or
// without a status (before or after spec), rendered with LF, CRLF or mixed line ends, a bare
// CR ending the last line or no final break, a byte order mark, `---` and `...` markers.
// Writing a random status must give a file that parses, reads the same outside that status,
// carries the status written, keeps every byte outside the status block, and does not change
// when the same status is written again. And lint → status write-back → lint: a file that
// lints without errors still does, with its findings on the same lines (shifted only below the
// status block, by the lines the status gained). Seeded: a failure prints a reproducible case.
// The explicit cases, the one from the issue among them, are in status-writer.test.ts.
import fc from 'fast-check';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { Document } from 'yaml';
import { isMap, isPair, isScalar, isSeq, parseAllDocuments } from 'yaml';
import type { Finding } from '../../controller/manifest/finding.ts';
import { parseManifests } from '../../controller/manifest/parse-manifests.ts';
import { replaceStatus } from '../../controller/manifest/status-writer.ts';

// PROPERTY_SEED and PROPERTY_RUNS explore further: `PROPERTY_SEED=7 PROPERTY_RUNS=5000 node test/…`.
const seed = Number(process.env.PROPERTY_SEED ?? 18);
const numRuns = Number(process.env.PROPERTY_RUNS ?? 300);
const now = Date.parse('2026-11-22T08:00:00Z');

// ---- Manifests as lines -------------------------------------------------------------------

/**
 * One line without its break. `tail`: a ` # comment` may follow it. `split`: a comment line
 * may go before it (not inside a block scalar's text, which it would end).
 */
type Line = { readonly text: string; readonly tail: boolean; readonly split: boolean };
const line = (text: string): Line => ({ text, tail: true, split: true });
const scalarText = (text: string): Line => ({ text, tail: false, split: false });
const indentLines = (lines: readonly Line[], n: number): Line[] => lines.map((l) => ({ ...l, text: ' '.repeat(n) + l.text }));

const description = fc.constantFrom<Line[]>(
  [line('description: Pilot devices in the IT lab.')],
  [line("description: 'Rooms: the big ones, #1'")],
  [line('description: "VIP \\"rooms\\" in Paris — café"')],
  [line('description: |'), scalarText('  Two lines'), scalarText('  of text.')],
  [line('description: >-'), scalarText('  folded'), scalarText('  text')],
);

const policySpec = fc
  .record({
    description: fc.option(description, { nil: undefined }),
    software: fc.option(
      fc.record({ phase: fc.constantFrom('Test', 'General', 'Final'), flow: fc.boolean() }).map(({ phase, flow }) =>
        flow ? [line(`software: {firmware: {mode: automatic, phase: ${phase}}}`)] : [line('software:'), line('  teamsClient:'), line('    mode: automatic'), line(`    phase: ${phase}`)],
      ),
      { nil: undefined },
    ),
    windows: fc.option(
      fc.constantFrom<Line[]>(
        [line('maintenanceWindows:'), line('  - name: weeknights'), line('    days: [Mon, Tue]'), line('    start: "22:00"'), line("    end: '05:00'")],
        // Shorter than 30 minutes: a warning lint reports on a spec line.
        [line('maintenanceWindows:'), line('- name: short'), line('  start: "22:00"'), line('  end: "22:10"')],
        [line('maintenanceWindows: []')],
      ),
      { nil: undefined },
    ),
    rollout: fc.option(fc.integer({ min: 1, max: 50 }).map((n) => [line('rollout:'), line(`  maxConcurrent: ${n}`)]), { nil: undefined }),
  })
  .map((r) => [r.description, r.software, r.windows, r.rollout].filter((f): f is Line[] => f !== undefined));

const groupSpec = (policies: readonly string[]) =>
  fc
    .record({
      description: fc.option(description, { nil: undefined }),
      policy: fc.constantFrom(...policies),
      flowRef: fc.boolean(),
      tags: fc.constantFrom('[lab]', '[site-nyc, vip]', "['rooms']"),
      priority: fc.option(fc.integer({ min: 0, max: 1000 }), { nil: undefined }),
      license: fc.option(fc.constantFrom('Pro', 'Basic'), { nil: undefined }),
      timeZone: fc.option(fc.constantFrom('Europe/Paris', 'America/New_York'), { nil: undefined }),
    })
    .map((r) =>
      [
        r.description,
        r.flowRef ? [line(`policyRef: { name: ${r.policy} }`)] : [line('policyRef:'), line(`  name: ${r.policy}`)],
        [line('selector:'), line(`  tags: ${r.tags}`)],
        r.priority === undefined ? undefined : [line(`priority: ${r.priority}`)],
        r.license === undefined ? undefined : [line(`license: ${r.license}`)],
        r.timeZone === undefined ? undefined : [line(`timeZone: ${r.timeZone}`)],
      ].filter((f): f is Line[] => f !== undefined),
    );

const scheduleSpec = (groups: readonly string[]) =>
  fc
    .record({
      group: fc.constantFrom(...groups),
      when: fc.constantFrom<Line[][]>(
        [],
        [[line('at: "2027-01-16T21:00"')], [line('timeZone: America/New_York')]],
        // A time zone without `at`: a warning on a spec line.
        [[line('timeZone: Europe/Paris')]],
      ),
      respect: fc.boolean(),
    })
    .map((r) => [
      [line('targets:'), line('  groupRef:'), line(`    name: ${r.group}`)],
      [line('software:'), line('  - type: teamsClient'), line('    version: latest')],
      ...r.when,
      ...(r.respect ? [[line('respectMaintenanceWindows: false')]] : []),
    ]);

const existingStatus = fc.constantFrom<Line[]>(
  [line('status:'), line('  observedGeneration: 1'), line('  conditions: []')],
  [line('status: {devices: 2}')],
  [line('status:'), line('  devices: 3'), line('  # counted at the last reconcile')],
  [line('status:'), line('  conditions:'), line('    - type: Ready'), line('      status: "True"'), line('      reason: UpToDate'), line("      lastTransitionTime: '2026-01-01T00:00:00Z'")],
);

const comment = fc.oneof(
  fc.constantFrom('#', '# note', '# status: not a key', '# --- not a separator', '#   spaced', '# café ✓'),
  fc.string({ maxLength: 12 }).map((s) => `# ${s.replace(/[\r\n]/g, ' ')}`),
);

type Kind = 'UpdatePolicy' | 'DeviceGroup' | 'ScheduledUpdate';

/** A document: its lines, its comments placed by (position, indent, text) picks. */
const documentArb = (kind: Kind, name: string, spec: fc.Arbitrary<Line[][]>) =>
  fc
    .record({
      spec,
      status: fc.option(existingStatus, { nil: undefined }),
      statusFirst: fc.boolean(),
      ownLineComments: fc.array(fc.tuple(fc.nat(), fc.constantFrom(0, 2, 4), comment), { maxLength: 3 }),
      tailComments: fc.array(fc.tuple(fc.nat(), comment), { maxLength: 3 }),
    })
    .map((r) => {
      const specLines = r.spec.length === 0 ? [line('spec: {}')] : [line('spec:'), ...indentLines(r.spec.flat(), 2)];
      const status = r.status ?? [];
      const lines = [
        line('apiVersion: firmwarden.dev/v1alpha1'),
        line(`kind: ${kind}`),
        line('metadata:'),
        line(`  name: ${name}`),
        ...(r.statusFirst ? [...status, ...specLines] : [...specLines, ...status]),
      ];
      for (const [at, c] of r.tailComments) {
        const i = at % lines.length;
        if (lines[i]!.tail) lines[i] = { ...lines[i]!, text: `${lines[i]!.text}   ${c}`, tail: false };
      }
      for (const [at, indent, c] of r.ownLineComments) {
        const i = at % (lines.length + 1);
        if (i === lines.length || lines[i]!.split) lines.splice(i, 0, { text: ' '.repeat(indent) + c, tail: false, split: true });
      }
      return lines;
    });

/** A file's documents: 1–2 policies, 0–2 groups following them, 0–1 schedules targeting a group. */
const manifestsArb = fc
  .record({ policies: fc.integer({ min: 1, max: 2 }), groups: fc.integer({ min: 0, max: 2 }), schedules: fc.integer({ min: 0, max: 1 }) })
  .chain(({ policies, groups, schedules }) => {
    const policyNames = Array.from({ length: policies }, (_, i) => `policy-${i}`);
    const groupNames = Array.from({ length: groups }, (_, i) => `group-${i}`);
    const docs = [
      ...policyNames.map((n) => documentArb('UpdatePolicy', n, policySpec)),
      ...groupNames.map((n) => documentArb('DeviceGroup', n, groupSpec(policyNames))),
      ...(groups > 0 ? Array.from({ length: schedules }, (_, i) => documentArb('ScheduledUpdate', `schedule-${i}`, scheduleSpec(groupNames))) : []),
    ];
    return fc.tuple(...docs);
  });

// ---- Rendering -----------------------------------------------------------------------------

type Style = {
  readonly breaks: 'lf' | 'crlf' | 'mixed';
  readonly mixed: readonly boolean[];
  readonly end: 'break' | 'none' | 'bare-cr';
  readonly bom: boolean;
  readonly leadingMarker: boolean;
  readonly endMarkers: readonly boolean[];
};

const styleArb: fc.Arbitrary<Style> = fc.record({
  breaks: fc.constantFrom('lf', 'crlf', 'mixed'),
  mixed: fc.array(fc.boolean(), { minLength: 1, maxLength: 16 }),
  end: fc.constantFrom('break', 'none', 'bare-cr'),
  bom: fc.boolean(),
  leadingMarker: fc.boolean(),
  endMarkers: fc.array(fc.boolean(), { minLength: 6, maxLength: 6 }),
});

/** The file's text: documents separated by `---` (after an optional `...`), lines broken as the style says. */
function render(docs: readonly Line[][], style: Style): string {
  const lines: string[] = [];
  docs.forEach((doc, i) => {
    if (i > 0 || style.leadingMarker) lines.push('---');
    lines.push(...doc.map((l) => l.text));
    if (style.endMarkers[i]) lines.push('...');
  });
  const breakAt = (i: number) => (style.breaks === 'lf' ? '\n' : style.breaks === 'crlf' ? '\r\n' : style.mixed[i % style.mixed.length] ? '\r\n' : '\n');
  let text = style.bom ? '\uFEFF' : '';
  lines.forEach((l, i) => {
    text += l;
    if (i < lines.length - 1) text += breakAt(i);
  });
  return text + (style.end === 'break' ? breakAt(lines.length - 1) : style.end === 'bare-cr' ? '\r' : '');
}

// ---- Statuses ------------------------------------------------------------------------------

const message = fc.oneof(
  fc.string({ maxLength: 30 }),
  // Any code point, control characters and lone surrogates included.
  fc.string({ maxLength: 30, unit: 'binary' }),
  fc.constantFrom('all 12 devices: on 1.14.2', '# not a comment', '- not an item', '"quoted"', "it's", 'two\nlines', 'trailing ', ' leading', 'yes', 'null', '1.10', 'tab\there', 'café ✓', 'cr\rinside', '...', '---'),
);

/** A status every kind's schema accepts. */
const statusArb = fc.record(
  {
    observedGeneration: fc.nat({ max: 1000 }),
    devices: fc.nat({ max: 10_000 }),
    conditions: fc.array(
      fc.record({
        type: fc.constantFrom('Ready', 'Reconciling', 'Stalled'),
        status: fc.constantFrom('True', 'False', 'Unknown'),
        reason: fc.constantFrom('UpToDate', 'Progressing', 'InvalidManifest'),
        message,
        lastTransitionTime: fc.constantFrom('2026-11-22T08:00:00Z', '2027-01-16T21:00:00-05:00'),
      }, { noNullPrototype: true }),
      { maxLength: 3 },
    ),
  },
  // Plain objects: a null prototype would fail deep equality with what yaml reads back.
  { requiredKeys: ['conditions'], noNullPrototype: true },
);

// ---- Oracles (independent of the writer's own check) ---------------------------------------

function documentsOf(text: string): Document.Parsed[] {
  return parseAllDocuments(text, { version: '1.2', uniqueKeys: false }) as unknown as Document.Parsed[];
}

function valueOf(doc: Document.Parsed): unknown {
  return doc.toJS();
}

function withoutStatus(value: unknown): unknown {
  if (value === null || typeof value !== 'object') return value;
  const { status: _status, ...rest } = value as Record<string, unknown>;
  return rest;
}

/** [start, end) of the whole lines of `doc`'s status pair in `text`, line break included. */
function statusLines(text: string, doc: Document.Parsed | undefined): [number, number] | undefined {
  const root = doc?.contents;
  if (!isMap(root)) return undefined;
  const pair = root.items.find((p) => isPair(p) && isScalar(p.key) && p.key.value === 'status');
  const keyStart = (pair?.key as { range?: number[] } | undefined)?.range?.[0];
  if (pair === undefined || keyStart === undefined) return undefined;
  // The end of the value's last node: comment lines after a block value are not the status's.
  let last: unknown = pair.value;
  while ((isMap(last) || isSeq(last)) && !last.flow && last.items.length > 0) {
    const item: unknown = last.items[last.items.length - 1];
    last = isPair(item) ? (item.value ?? item.key) : item;
  }
  let end = (last as { range?: number[] } | null)?.range?.[1] ?? keyStart;
  while (end > keyStart && /[ \t\r\n]/.test(text[end - 1]!)) end--;
  const lineEnd = text.indexOf('\n', end);
  return [text.lastIndexOf('\n', keyStart - 1) + 1, lineEnd < 0 ? text.length : lineEnd + 1];
}

/**
 * True when `after` is `before` with only document `docIndex`'s status lines replaced; a line
 * break may be added before a new block when the line before had none (end of file, or a bare
 * CR, which yaml does not read as a break and which may become that break).
 */
function onlyStatusLinesChanged(before: string, beforeDoc: Document.Parsed, after: string, afterDoc: Document.Parsed): boolean {
  const cut = (text: string, span: [number, number] | undefined) => (span ? text.slice(0, span[0]) + text.slice(span[1]) : text);
  const old = cut(before, statusLines(before, beforeDoc));
  const span = statusLines(after, afterDoc)!;
  const now = cut(after, span);
  if (now === old) return true;
  const head = after.slice(0, span[0]);
  const added = head.endsWith('\r\n') ? 2 : head.endsWith('\n') ? 1 : 0;
  if (added === 0) return false;
  const withoutAdded = head.slice(0, -added) + after.slice(span[1]);
  return withoutAdded === old || head.slice(0, -added) + '\r' + after.slice(span[1]) === old;
}

function lineOf(text: string, offset: number): number {
  let line = 1;
  for (let i = text.indexOf('\n'); i >= 0 && i < offset; i = text.indexOf('\n', i + 1)) line++;
  return line;
}

const lint = (text: string): Finding[] => parseManifests([{ path: 'm.yaml', text }], { now }).findings;
/** A finding in one line, its lines (its own and those its message names) passed through `move`. */
const describe = (f: Finding, move = (line: number) => line) =>
  `${f.rule}@${move(f.line)}:${f.column}-${f.endColumn} ${f.path ?? ''} ${f.message.replace(/\bm\.yaml:(\d+)/g, (_, n: string) => `m.yaml:${move(Number(n))}`)}`;
const outsideStatus = (f: Finding) => !(f.path ?? '').startsWith('/status');

// ---- Properties ----------------------------------------------------------------------------

// Mapped to the rendered text, so a counterexample shows the file itself.
const fileArb = fc
  .record({ docs: manifestsArb, style: styleArb, pick: fc.nat(), status: statusArb })
  .map(({ docs, style, pick, status }) => ({ text: render(docs, style), documents: docs.length, end: style.end, docIndex: pick % docs.length, status }));

test('writing a status changes nothing but that status, and writing it again changes nothing', () => {
  fc.assert(
    fc.property(fileArb, ({ text, documents, end, docIndex, status }) => {
      const before = documentsOf(text);
      assert.is(before.length, documents, 'the generator makes one YAML document per manifest');
      const result = replaceStatus(text, docIndex, status);
      if (before[docIndex]!.errors.length > 0) {
        // Only a bare CR after a flow or quoted value at the very end makes yaml fail here.
        assert.is(end, 'bare-cr');
        assert.ok(!result.ok && /YAML errors/.test(result.reason), 'a document yaml cannot read is refused');
        return;
      }
      if (!result.ok) assert.unreachable(result.reason);
      const out = result.ok ? result.text : text;
      const after = documentsOf(out);
      assert.is(after.length, before.length);
      after.forEach((doc, i) => {
        assert.is(doc.errors.length, before[i]!.errors.length, `document ${i} parses as before`);
        if (i === docIndex) {
          assert.equal(withoutStatus(valueOf(doc)), withoutStatus(valueOf(before[i]!)));
          assert.equal((valueOf(doc) as { status: unknown }).status, status);
        } else {
          assert.equal(valueOf(doc), valueOf(before[i]!));
        }
      });
      assert.ok(onlyStatusLinesChanged(text, before[docIndex]!, out, after[docIndex]!), 'every byte outside the status block is kept');
      const again = replaceStatus(out, docIndex, status);
      assert.ok(again.ok && again.text === out, 'writing the same status again is a no-op');
    }),
    { seed, numRuns, includeErrorInReport: true },
  );
});

test('a file that lints clean stays clean after a status write-back, its findings on the same lines', () => {
  let withSpecFindings = 0;
  fc.assert(
    fc.property(fileArb, ({ text, docIndex, status }) => {
      const findings = lint(text);
      fc.pre(findings.every((f) => f.severity !== 'error'));
      if (findings.some((f) => f.path?.startsWith('/spec'))) withSpecFindings++;
      const result = replaceStatus(text, docIndex, status);
      if (!result.ok) assert.unreachable(result.reason);
      const out = result.ok ? result.text : text;
      const relinted = lint(out);
      assert.equal(relinted.filter((f) => f.severity === 'error').map((f) => describe(f)), []);
      // Lines above the status block keep their numbers; those below move by the lines it gained.
      const blockLine = lineOf(out, statusLines(out, documentsOf(out)[docIndex])![0]);
      const shift = lineOf(out, out.length) - lineOf(text, text.length);
      const expected = findings.filter(outsideStatus).map((f) => describe(f, (line) => (line < blockLine ? line : line + shift)));
      assert.equal(relinted.filter(outsideStatus).map((f) => describe(f)), expected);
    }),
    { seed, numRuns, includeErrorInReport: true },
  );
  // Not vacuous: many of the clean files have warnings on spec lines whose places are checked.
  assert.ok(withSpecFindings >= numRuns / 10, `only ${withSpecFindings} files with spec findings`);
});

test.run();
