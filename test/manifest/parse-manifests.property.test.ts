// Property test of the loader (issue 18): parse → lint never throws and never reports an
// internal error, whatever the documents hold. Generated files: documents of our three kinds
// whose fields follow the schema's shape most of the time — with values from a pool of
// near-valid ones (times, dates, zones, durations, versions, names that do or do not resolve)
// — and otherwise hold anything: mappings keyed toString, valueOf, __proto__ or constructor,
// lists, numbers (NaN, infinities), booleans, nothing, tags, anchors and aliases, plain
// scalars YAML reads as numbers or dates. apiVersion, kind and metadata get the same
// treatment. The findings must name a file given and a real position, and every lint
// format must render them. Seeded: a failure prints a reproducible case.
import fc from 'fast-check';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { formatGithub } from '../../controller/cli/lint-format-github.ts';
import { formatJson } from '../../controller/cli/lint-format-json.ts';
import { formatJunit } from '../../controller/cli/lint-format-junit.ts';
import { formatSarif } from '../../controller/cli/lint-format-sarif.ts';
import { formatText } from '../../controller/cli/lint-format-text.ts';
import type { LintReport } from '../../controller/cli/lint-report.ts';
import { kinds } from '../../controller/manifest/kinds.ts';
import { parseManifests } from '../../controller/manifest/parse-manifests.ts';
import { rules } from '../../controller/manifest/rules.ts';
import { schemaAt } from '../../controller/manifest/schema-shape.ts';

// PROPERTY_SEED and PROPERTY_RUNS explore further: `PROPERTY_SEED=7 PROPERTY_RUNS=5000 node test/…`.
const seed = Number(process.env.PROPERTY_SEED ?? 1818);
const numRuns = Number(process.env.PROPERTY_RUNS ?? 300);
const now = Date.parse('2026-11-22T08:00:00Z');

// ---- YAML as a tree of source text ----------------------------------------------------------
// Nodes carry the text of their scalars and keys as written, so a key such as __proto__ is only
// ever text here: what the loader makes of it is what is under test.

type Node = { t: 'scalar'; text: string } | { t: 'seq'; flow: boolean; items: Node[] } | { t: 'map'; flow: boolean; pairs: [string, Node][] };

const scalar = (text: string): Node => ({ t: 'scalar', text });

function flowText(node: Node): string {
  if (node.t === 'scalar') return node.text;
  if (node.t === 'seq') return `[${node.items.map(flowText).join(', ')}]`;
  return `{ ${node.pairs.map(([k, v]) => `${k}: ${flowText(v)}`).join(', ')} }`;
}

function isInline(node: Node): boolean {
  return node.t === 'scalar' || node.flow || (node.t === 'seq' ? node.items.length === 0 : node.pairs.length === 0);
}

/** Block style at `indent`, one line per pair or item; flow collections and scalars inline. */
function blockText(node: Node, indent: number): string {
  const pad = ' '.repeat(indent);
  if (isInline(node)) return `${pad}${flowText(node)}\n`;
  if (node.t === 'seq') return node.items.map((item) => (isInline(item) ? `${pad}- ${flowText(item)}\n` : `${pad}-\n${blockText(item, indent + 2)}`)).join('');
  if (node.t === 'map') return node.pairs.map(([k, v]) => (isInline(v) ? `${pad}${k}: ${flowText(v)}\n` : `${pad}${k}:\n${blockText(v, indent + 2)}`)).join('');
  return '';
}

// ---- Values ---------------------------------------------------------------------------------

const oddKeys = ['toString', 'valueOf', '__proto__', 'constructor', 'hasOwnProperty', '"__proto__"', "'constructor'", 'length', '0', '""', '? [a]'];
const plain = [
  '22:00', '05:00', '24:00', '23:50', '2026-12-01', '2027-02-30', '2026-12-01T10:00', '2026-11-22T08:30', 'Europe/Paris', 'Europe/Pariss', 'UTC', 'device-local',
  '24h', '0h0m', '7d1m', '30m', '1.2.3', '1.14.10', 'latest', 'v2', 'p', 'g', 's', 'rooms', 'Rooms', 'missing', 'firmware', 'teamsClient', 'automatic', 'manual',
  'General', 'Final', 'Mon', 'Sat', 'Pro', 'Basic', 'yes', 'no', 'on', '~', 'null', 'true', 'false', '12', '-1', '0', '1.5', '1e3', '0x1F', '0o17', '.nan', '-.inf', '.inf',
  'DeviceGroup', 'UpdatePolicy', 'ScheduledUpdate', 'firmwarden.dev/v1alpha1', 'firmwarden.dev/v1', 'v1', '!!str 12', '!!int "x"', '!custom thing', '!!binary aGk=', '!!timestamp 2026-12-01',
];
const leaf: fc.Arbitrary<Node> = fc.oneof(
  fc.constantFrom(...plain).map(scalar),
  fc.string({ maxLength: 12 }).map((s) => scalar(JSON.stringify(s))),
  fc.string({ unit: 'binary', maxLength: 6 }).map((s) => scalar(JSON.stringify(s))),
  fc.integer().map((n) => scalar(String(n))),
  fc.double().map((n) => scalar(Number.isNaN(n) ? '.nan' : n === Infinity ? '.inf' : n === -Infinity ? '-.inf' : String(n))),
);
const anyKey = fc.oneof(fc.constantFrom(...oddKeys), fc.string({ maxLength: 6 }).map((s) => JSON.stringify(s)), fc.constantFrom('name', 'spec', 'kind', 'start', 'end'));

/** Anything at all: scalars, lists and mappings with odd keys, nested a little. */
const { wild } = fc.letrec<{ wild: Node }>((tie) => ({
  wild: fc.oneof(
    { depthSize: 'small', maxDepth: 3 },
    leaf,
    fc.record({ flow: fc.boolean(), items: fc.array(tie('wild'), { maxLength: 3 }) }).map(({ flow, items }): Node => ({ t: 'seq', flow, items })),
    fc.record({ flow: fc.boolean(), pairs: fc.array(fc.tuple(anyKey, tie('wild')), { maxLength: 3 }) }).map(({ flow, pairs }): Node => ({ t: 'map', flow, pairs })),
  ),
}));

/** Values written as people write them, valid or nearly, for each definition of the schema. */
const pools: Record<string, string[]> = {
  Name: ['p', 'g', 's', 'rooms', 'room', 'lab', 'p1', 'missing'],
  LocalTime: ['"22:00"', '"05:00"', '"24:00"', '"23:50"', '"00:10"', '"12:00"', '"25:00"', '22:00'],
  LocalDate: ['"2026-12-01"', '"2026-12-18"', '"2027-01-04"', '"2027-02-30"', '"2026-11-01"', '2026-12-10'],
  LocalDateTime: ['"2026-12-01T10:00"', '"2026-11-22T08:30"', '"2027-03-28T02:30"', '"2027-04-31T10:00"', '"2027-01-15T10:00"'],
  Duration: ['24h', '0h0m', '7d', '7d1m', '30m', '48h', '1h30m', '0s', '""'],
  TimeZone: ['Europe/Paris', 'America/New_York', 'UTC', 'Europe/Pariss', 'device-local', 'Australia/Lord_Howe', 'Etc/UTC'],
  WindowTimeZone: ['Europe/Paris', 'device-local', 'Asia/Kolkata', 'Mars/Olympus'],
  Version: ['"1.2.3"', '"1.14.10"', 'latest', '"v2"', '"10.0.1"', '"1.2.x"', '1.5'],
  Timestamp: ['"2026-11-20T10:00:00Z"', '"2026-12-01T00:00:00+01:00"', '"yesterday"'],
  DeviceRef: ['device-1', 'device-2', '"00000000-0000-4000-8000-000000000001"'],
};
const text = ['"Pilot devices"', 'weeknights', 'p', 'g', '"café #1"', '""'];

/** Scalars for a field of `type` under the schema `at` (definition `definition`). */
function scalarFor(at: Record<string, unknown>, type: unknown, definition: string | undefined): fc.Arbitrary<Node> {
  if (definition && pools[definition]) return fc.constantFrom(...pools[definition]).map(scalar);
  if (type === 'boolean') return fc.constantFrom('true', 'false').map(scalar);
  if (type === 'integer' || type === 'number') {
    const min = typeof at.minimum === 'number' ? at.minimum : -10;
    const max = typeof at.maximum === 'number' ? Math.min(at.maximum, 10_000) : 200;
    const whole = fc.integer({ min: min - 1, max: max + 1 }).map((n) => scalar(String(n)));
    return type === 'integer' ? whole : fc.oneof(whole, fc.constantFrom('33.3', '0.5', '.nan').map(scalar));
  }
  return fc.constantFrom(...text).map(scalar);
}

/**
 * A value for `path` of `kind` that follows the schema: required fields always, some optional
 * ones, values from the pools. When `messy`, any node may instead hold anything and mappings
 * may gain a field of their own.
 */
function shaped(kind: string, path: (string | number)[], depth: number, messy: boolean): fc.Arbitrary<Node> {
  const found = schemaAt(kind, path);
  const at = found?.schema;
  if (!at || depth > 5) return messy ? wild : leaf;
  const type = Array.isArray(at.type) ? at.type[0] : at.type;
  let follow: fc.Arbitrary<Node>;
  if (Array.isArray(at.enum)) follow = fc.constantFrom(...at.enum.map((v) => scalar(String(v))));
  else if (type === 'object' && at.properties && typeof at.properties === 'object') {
    const fields = Object.keys(at.properties);
    const required = Array.isArray(at.required) ? fields.filter((f) => (at.required as unknown[]).includes(f)) : [];
    const optional = fields.filter((f) => !required.includes(f));
    follow = fc
      .record({
        flow: fc.boolean(),
        drop: messy ? fc.subarray(required) : fc.constant([] as string[]),
        some: fc.subarray(optional, { maxLength: Math.min(4, optional.length) }),
        extra: messy ? fc.option(fc.tuple(anyKey, wild), { nil: undefined, freq: 3 }) : fc.constant(undefined),
      })
      .chain(({ flow, drop, some, extra }) => {
        const chosen = [...required.filter((f) => !drop.includes(f)), ...some];
        return fc.tuple(...chosen.map((f) => shaped(kind, [...path, f], depth + 1, messy))).map((values): Node => {
          const pairs: [string, Node][] = chosen.map((f, i) => [f, values[i]!]);
          if (extra) pairs.push(extra);
          return { t: 'map', flow, pairs };
        });
      });
  } else if (type === 'object') {
    follow = fc.array(fc.tuple(fc.constantFrom('site', 'floor', 'toString'), fc.constantFrom('paris', '"2"', 'a').map(scalar)), { maxLength: 2 }).map((pairs): Node => ({ t: 'map', flow: true, pairs }));
  } else if (type === 'array') {
    const min = typeof at.minItems === 'number' ? at.minItems : 0;
    follow = fc
      .record({ flow: fc.boolean(), items: fc.array(shaped(kind, [...path, 0], depth + 1, messy), { minLength: messy ? 0 : Math.min(min, 3), maxLength: 3 }) })
      .map(({ flow, items }): Node => ({ t: 'seq', flow, items }));
  } else follow = scalarFor(at, type, found.definition);
  return messy ? fc.oneof({ weight: 12, arbitrary: follow }, { weight: 1, arbitrary: wild }) : follow;
}

/** One document of one of our kinds: tidy three times in four, messy otherwise. */
const document: fc.Arbitrary<string> = fc.record({ kind: fc.constantFrom(...kinds), messy: fc.integer({ min: 0, max: 3 }).map((n) => n === 0) }).chain(({ kind, messy }) =>
  fc
    .record({
      apiVersion: messy ? fc.oneof({ weight: 4, arbitrary: fc.constant(scalar('firmwarden.dev/v1alpha1')) }, { weight: 1, arbitrary: wild }) : fc.constant(scalar('firmwarden.dev/v1alpha1')),
      kind: messy ? fc.oneof({ weight: 4, arbitrary: fc.constant(scalar(kind)) }, { weight: 1, arbitrary: wild }) : fc.constant(scalar(kind)),
      metadata: shaped(kind, ['metadata'], 1, messy),
      spec: shaped(kind, ['spec'], 1, messy),
      status: messy ? fc.option(wild, { nil: undefined }) : fc.constant(undefined),
      anchor: messy ? fc.boolean() : fc.constant(false),
    })
    .map(({ apiVersion, kind: k, metadata, spec, status, anchor }) => {
      const pairs: [string, Node][] = [
        ['apiVersion', apiVersion],
        ['kind', k],
        ['metadata', metadata],
        ['spec', spec],
      ];
      if (status) pairs.push(['status', status]);
      let text = blockText({ t: 'map', flow: false, pairs }, 0);
      // An anchor on the metadata and an alias to it elsewhere: what yaml resolves, we read.
      if (anchor) text = text.replace(/^metadata:/m, 'metadata: &meta').replace(/\nspec:/, '\nlabels: *meta\nspec:');
      return text;
    }),
);

const files = fc.array(fc.array(document, { minLength: 1, maxLength: 4 }), { minLength: 1, maxLength: 3 }).map((perFile) => perFile.map((docs, i) => ({ path: `repo/f${i}.yaml`, text: docs.join('---\n') })));

test('parse → lint never throws and never reports an internal error, and every format renders the findings', () => {
  const ruleIds = new Set(Object.keys(rules));
  fc.assert(
    fc.property(files, (input) => {
      const result = parseManifests(input, { now });
      const internal = result.findings.filter((f) => f.rule === 'internal-error');
      assert.equal(internal, [], 'no internal error');
      const paths = new Set(input.map((f) => f.path));
      for (const f of result.findings) {
        assert.ok(ruleIds.has(f.rule), `rule ${f.rule} is in the catalogue`);
        assert.ok(paths.has(f.file), `finding in a given file: ${f.file}`);
        assert.ok(f.line >= 1 && f.column >= 1, `position ${f.line}:${f.column}`);
        assert.ok(f.endLine > f.line || (f.endLine === f.line && f.endColumn >= f.column), `span ${f.line}:${f.column}-${f.endLine}:${f.endColumn}`);
        assert.type(f.message, 'string');
        assert.ok(!f.message.includes('[object Object]'), f.message);
      }
      const report: LintReport = {
        findings: result.findings,
        files: [...paths].sort(),
        documents: result.documents,
        texts: new Map(input.map((f) => [f.path, f.text])),
        strict: false,
        version: '0.0.0-test',
      };
      for (const format of [formatText, formatGithub, formatSarif, formatJunit]) assert.type(format(report), 'string');
      const json = JSON.parse(formatJson(report)) as { findings: unknown[] };
      assert.is(json.findings.length, result.findings.length);
    }),
    { seed, numRuns, includeErrorInReport: true },
  );
});

test.run();
