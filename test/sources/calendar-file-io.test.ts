// The release calendar file in a folder source, on a real temporary folder: written with the
// statuses (only when its text changes), read back by the next sync, never through a link that
// leads outside the folder.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { silentLogger } from '../../controller/log/logger.ts';
import { DirSource } from '../../controller/sources/dir-source.ts';
import { readCalendarText, writeCalendarText } from '../../controller/sources/calendar-file-io.ts';
import { SourceError } from '../../controller/model/source.ts';
import { replaceStatus } from '../../controller/manifest/status-writer.ts';
import { parseCalendarFile } from '../../controller/state/calendar-file.ts';
import type { RememberedCalendar } from '../../controller/model/state.ts';

const group = 'kind: DeviceGroup\nmetadata:\n  name: lab\nspec: {}\n';
const calendar: RememberedCalendar = { releases: [{ model: 'Bar', softwareType: 'firmware', version: '1.2.3', firstSeen: Date.parse('2027-01-08T12:00:00Z') }], rollouts: {} };

function folder(): string {
  const dir = mkdtempSync(join(tmpdir(), 'fw-cal-io-'));
  mkdirSync(join(dir, 'fleet', 'groups'), { recursive: true });
  writeFileSync(join(dir, 'fleet', 'groups', 'lab.yaml'), group);
  return dir;
}

test('a folder source writes the calendar at the root of its path with the statuses, and the next sync reads it', async () => {
  const dir = folder();
  const source = new DirSource({ dir, path: 'fleet', logger: silentLogger(), replaceStatus });
  try {
    const first = await source.sync();
    assert.is(first.calendarText, undefined);
    const statuses = [{ path: 'fleet/groups/lab.yaml', docIndex: 0, status: { devices: 1 } }];
    const written = await source.writeStatus({ revision: first.revision, summary: 'x', statuses, calendar });
    assert.ok(written.written);
    const text = readFileSync(join(dir, 'fleet', '.firmwarden', 'releases.json'), 'utf8');
    const read = parseCalendarFile(text);
    assert.ok(read.ok && read.calendar.releases[0]!.version === '1.2.3');
    assert.is((await source.sync()).calendarText, text);
    // Nothing changed: nothing written.
    const again = await source.writeStatus({ revision: first.revision, summary: 'x', statuses, calendar });
    assert.not.ok(again.written);
  } finally {
    await source.close();
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a .firmwarden that is a link leading outside is neither read nor written through', async () => {
  const dir = folder();
  const outside = mkdtempSync(join(tmpdir(), 'fw-cal-out-'));
  try {
    writeFileSync(join(outside, 'releases.json'), '{"version": 1, "releases": []}');
    symlinkSync(outside, join(dir, 'fleet', '.firmwarden'));
    assert.equal(await readCalendarText(dir, 'fleet'), { kind: 'omitted', reason: 'a symbolic link leading outside the source' });
    const error = await writeCalendarText(dir, 'fleet', 'new text').catch((e: unknown) => e);
    assert.ok(error instanceof SourceError && error.reason === 'StatusWriteFailed', String(error));
    assert.match((error as Error).message, /fleet\/\.firmwarden\/releases\.json was not written: \.firmwarden is not a folder/);
    assert.is(readFileSync(join(outside, 'releases.json'), 'utf8'), '{"version": 1, "releases": []}', 'the file outside is untouched');
  } finally {
    rmSync(dir, { recursive: true, force: true });
    rmSync(outside, { recursive: true, force: true });
  }
});

test('a calendar file that is a link to a file outside is replaced, not written through', async () => {
  const dir = folder();
  const outside = mkdtempSync(join(tmpdir(), 'fw-cal-out-'));
  try {
    writeFileSync(join(outside, 'target.json'), 'outside');
    mkdirSync(join(dir, 'fleet', '.firmwarden'));
    symlinkSync(join(outside, 'target.json'), join(dir, 'fleet', '.firmwarden', 'releases.json'));
    assert.is((await readCalendarText(dir, 'fleet')).kind, 'omitted');
    assert.ok(await writeCalendarText(dir, 'fleet', 'mine\n'));
    assert.is(readFileSync(join(outside, 'target.json'), 'utf8'), 'outside');
    assert.is(readFileSync(join(dir, 'fleet', '.firmwarden', 'releases.json'), 'utf8'), 'mine\n');
    assert.ok(existsSync(join(dir, 'fleet', '.firmwarden')));
  } finally {
    rmSync(dir, { recursive: true, force: true });
    rmSync(outside, { recursive: true, force: true });
  }
});

test.run();
