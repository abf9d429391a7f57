// Holiday calendars (.ics) are read with the manifests, under the same containment and bounds,
// and a change to one alone is a change of the desired state (not a status-only commit).
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { silentLogger } from '../../controller/log/logger.ts';
import { replaceStatus } from '../../controller/manifest/status-writer.ts';
import { DirSource } from '../../controller/sources/dir-source.ts';
import { isStatusOnlyFilesChange } from '../../controller/sources/status-commit-detect.ts';

const ics = (summary: string) => `BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//t//EN\r\nBEGIN:VEVENT\r\nUID:1\r\nDTSTART;VALUE=DATE:20271225\r\nSUMMARY:${summary}\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n`;

const Read = suite('calendar files in a folder source');
Read('an .ics file is read beside the manifests; one linked from outside is left out, named', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'fw-ics-'));
  const outside = mkdtempSync(join(tmpdir(), 'fw-ics-out-'));
  try {
    mkdirSync(join(dir, 'groups'));
    writeFileSync(join(dir, 'groups/nyc.yaml'), 'apiVersion: firmwarden.dev/v1alpha1\nkind: DeviceGroup\nmetadata:\n  name: nyc\nspec: {}\n');
    writeFileSync(join(dir, 'groups/us.ics'), ics('Christmas Day'));
    writeFileSync(join(outside, 'secret.ics'), ics('secret'));
    symlinkSync(join(outside, 'secret.ics'), join(dir, 'groups/linked.ics'));
    const source = new DirSource({ dir, logger: silentLogger(), replaceStatus });
    try {
      const first = await source.sync();
      assert.equal(first.files.map((f) => f.path), ['groups/nyc.yaml', 'groups/us.ics']);
      assert.equal(first.omitted, [{ path: 'groups/linked.ics', reason: `a symbolic link to '${join(outside, 'secret.ics')}', outside the source` }]);
      writeFileSync(join(dir, 'groups/us.ics'), ics('Christmas'));
      const second = await source.sync();
      assert.is(second.changed, true);
      assert.is(second.specChanged, true, 'a calendar edit alone is a change of holidays');
    } finally {
      await source.close();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
    rmSync(outside, { recursive: true, force: true });
  }
});
Read('a calendar has no status: any change to its text is not status-only, even one YAML would fold away', () => {
  const before = [{ path: 'us.ics', text: 'BEGIN:VCALENDAR\nX-A:1\nEND:VCALENDAR\n' }];
  assert.is(isStatusOnlyFilesChange(before, [{ path: 'us.ics', text: 'BEGIN:VCALENDAR X-A:1\nEND:VCALENDAR\n' }]), false);
  assert.is(isStatusOnlyFilesChange(before, before), true);
});

Read.run();
