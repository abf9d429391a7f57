// Every file under examples/ lints clean: no error and no warning, whatever is added there.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { Readable } from 'node:stream';
import { parseManifests } from '../../controller/manifest/parse-manifests.ts';
import { readManifestInputs } from '../../controller/sources/read-manifest-files.ts';

const root = new URL('../../', import.meta.url).pathname;

test('every example lints clean, and each kind is shown', async () => {
  const read = await readManifestInputs(['examples'], { cwd: root, maxFileBytes: 1024 * 1024, stdin: Readable.from([]) });
  assert.equal(read.problems, []);
  assert.ok(read.files.length > 0, 'examples/ holds YAML files');
  // A fixed time before the example ScheduledUpdate, so "in the past" never fires as years go by.
  const { manifests, findings } = parseManifests(read.files, { now: Date.parse('2026-11-22T08:00:00Z') });
  const all = [...read.findings, ...findings];
  assert.equal(all.map((f) => `${f.file}:${f.line}:${f.column} ${f.rule} ${f.message}`), []);
  assert.ok(manifests.every((m) => m.valid));
  for (const kind of ['DeviceGroup', 'UpdatePolicy', 'ScheduledUpdate', 'NotificationChannel', 'NotificationRule']) assert.ok(manifests.some((m) => m.kind === kind), `an example ${kind}`);
});

test.run();
