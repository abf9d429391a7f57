// crds/, the generated types and the field reference must match schemas/: regenerate and compare.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { crdDir, generateCrds, buildCrd } from '../../scripts/gen/crds.ts';
import { crdKustomizationFile, generateCrdKustomization } from '../../scripts/gen/crd-kustomization.ts';
import { generateTypes, typesFile } from '../../scripts/gen/types.ts';
import { generateReference, referenceFile } from '../../scripts/gen/reference.ts';

const stale = 'is stale: run `npm run generate` and commit the result';

test('every CRD in crds/ is what the schemas generate', () => {
  for (const { file, text } of generateCrds()) {
    assert.is(readFileSync(join(crdDir, file), 'utf8'), text, `crds/${file} ${stale}`);
  }
});

test('crds/Kustomization lists every CRD the schemas generate', () => {
  const text = generateCrdKustomization();
  for (const { file } of generateCrds()) assert.ok(text.includes(`  - ${file}\n`), `${file} missing`);
  let onDisk = '';
  try {
    onDisk = readFileSync(join(crdDir, crdKustomizationFile), 'utf8');
  } catch {
    // Missing counts as stale.
  }
  assert.is(onDisk, text, `crds/${crdKustomizationFile} ${stale}`);
});

test('the manifest types are what the schemas generate', async () => {
  assert.is(readFileSync(typesFile, 'utf8'), await generateTypes(), `controller/model/manifests.generated.ts ${stale}`);
});

test('the field reference is what the schemas generate', () => {
  assert.is(readFileSync(referenceFile, 'utf8'), generateReference(), `docs/reference.md ${stale}`);
});

test('CRD schemas are structural: every node has a type and no $ref is left', () => {
  const walk = (node: unknown, path: string): void => {
    if (node === null || typeof node !== 'object') return;
    const obj = node as Record<string, unknown>;
    assert.not.ok('$ref' in obj, `${path} still has a $ref`);
    assert.ok(typeof obj.type === 'string', `${path} has no type`);
    assert.not.ok(obj.additionalProperties === false && obj.properties, `${path} has additionalProperties beside properties`);
    for (const [k, v] of Object.entries((obj.properties ?? {}) as Record<string, unknown>)) walk(v, `${path}.${k}`);
    if (obj.items) walk(obj.items, `${path}[]`);
  };
  for (const kind of ['DeviceGroup', 'UpdatePolicy', 'ScheduledUpdate'] as const) {
    const crd = buildCrd(kind) as { spec: { versions: { schema: { openAPIV3Schema: unknown } }[] } };
    walk(crd.spec.versions[0]!.schema.openAPIV3Schema, kind);
  }
});

test('a schema change shows up as drift (the comparison can fail)', async () => {
  const types = await generateTypes();
  assert.ok(types.includes("export type Phase = 'Test' | 'General' | 'Final';"));
  assert.is.not(types.replace("'Final'", "'Last'"), readFileSync(typesFile, 'utf8'));
});

test.run();
