// The Node.js major the project runs on is written in six places; they must agree, and the
// runtime the tests run on must be that one and have Temporal without a flag (the zone rules
// in controller/policy/zoned-time.ts depend on it).
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';

const root = new URL('..', import.meta.url).pathname;
const read = (file: string) => readFileSync(join(root, file), 'utf8');
const major = 26;

test('package.json pins the runtime and asks for it in engines', () => {
  const pkg = JSON.parse(read('package.json')) as { engines: { node: string }; devDependencies: Record<string, string> };
  assert.is(pkg.engines.node, `>=${major}`);
  assert.match(pkg.devDependencies['node']!, new RegExp(`^\\^${major}\\.`));
  assert.match(pkg.devDependencies['@types/node']!, new RegExp(`^\\^${major}\\.`));
});

test('the command refuses an older Node.js and names the right one', () => {
  const bin = read('bin/firmwarden.mjs');
  assert.ok(bin.includes(`if (major < ${major}) {`));
  assert.ok(bin.includes(`firmwarden needs Node.js ${major} or later`));
});

test('the image and the GitHub Action use the same major', () => {
  const froms = read('Dockerfile').split('\n').filter((l) => l.startsWith('FROM '));
  assert.ok(froms.length >= 2, 'a multi-stage Dockerfile');
  for (const from of froms) assert.is(from.split(' ')[1], `node:${major}-slim`);
  const action = parse(read('action.yml')) as { inputs: Record<string, { default?: string }> };
  assert.is(action.inputs['node-version']?.default, String(major));
});

test('the tests run on the pinned major, with Temporal built in', () => {
  assert.is(Number(process.versions.node.split('.')[0]), major);
  assert.type(globalThis.Temporal, 'object');
  assert.is(Temporal.PlainDate.from('2026-03-08').dayOfWeek, 7);
});

test.run();
