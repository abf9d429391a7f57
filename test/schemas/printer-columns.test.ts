// kubectl get columns say their unit: a device count is never shown beside an update count
// (device × software type) under names that read alike ("DEVICES 45 UP-TO-DATE 165").
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { readFileSync } from 'node:fs';

interface Column {
  readonly name: string;
  readonly type: string;
  readonly jsonPath: string;
}

const kinds = ['devicegroup', 'updatepolicy', 'scheduledupdate'] as const;

function columnsOf(kind: string): Column[] {
  const schema = JSON.parse(readFileSync(new URL(`../../schemas/${kind}.schema.json`, import.meta.url), 'utf8')) as { 'x-firmwarden': { printerColumns: Column[] } };
  return schema['x-firmwarden'].printerColumns;
}

for (const kind of kinds) {
  test(`${kind}: every count column names its unit (Devices, or Updates-…)`, () => {
    const counts = columnsOf(kind).filter((c) => c.type === 'integer');
    assert.ok(counts.length >= 2, 'a device count and update counts');
    for (const c of counts) {
      if (c.jsonPath === '.status.devices') assert.is(c.name, 'Devices');
      else {
        assert.match(c.jsonPath, /^\.status\.updates\./, `${c.name} reads the update counts`);
        assert.match(c.name, /^Updates-/, `${c.name} says it counts updates`);
      }
    }
    assert.not.ok(columnsOf(kind).some((c) => c.jsonPath.startsWith('.status.counts')), 'no column reads the old mixed counts');
  });
}

test.run();
