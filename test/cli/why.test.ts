import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { createPlanCommand } from '../../controller/cli/plan.ts';
import { createWhyCommand } from '../../controller/cli/why.ts';
import { rm } from 'node:fs/promises';
import { deps, examplesWith, runCommand, scheduledUpdateYaml } from './plan-harness.ts';

const at = '2026-11-21T12:00:00Z';
const Why = suite('firmwarden why against the emulator with examples/');

let devices: { deviceId: string; name: string; group?: string; software: { softwareType: string; state: string; currentVersion: string | null; reason: { code: string } }[] }[] = [];
let conflicts: { deviceId: string; chosen: string; groups: string[] }[] = [];

Why.before(async () => {
  const r = await runCommand(createPlanCommand(await deps()), ['examples', '--at', at, '--format', 'json']);
  const json = JSON.parse(r.stdout);
  devices = json.devices;
  conflicts = json.conflicts;
});

Why('a lab device at a site: its group, the group it beat, its policy, versions and what holds it', async () => {
  const c = conflicts.find((x) => x.chosen === 'default/lab')!;
  const name = devices.find((d) => d.deviceId === c.deviceId)!.name;
  const r = await runCommand(createWhyCommand(await deps()), [name, 'examples', '--at', at]);
  assert.is(r.code, 0, r.stderr);
  assert.match(r.stdout, /^Fleet: emulator \(seed 42, 120 devices\) — invented devices, not a real tenant\n/);
  assert.match(r.stdout, new RegExp(`\nDevice ${name}: `));
  assert.match(r.stdout, /\nGroup: lab \(time zone Europe\/Paris, Pro licence\)\./);
  assert.match(r.stdout, /It also matches general-(paris|nyc); lab has the highest priority \(100; general-(paris|nyc) 10\)\./);
  assert.match(r.stdout, /\nPolicy: lab; the device is in wave 1\./);
  assert.match(r.stdout, /Maintenance window: lab-hours opens Mon 2026-11-23 09:00 Europe\/Paris/);
  assert.match(r.stdout, /What holds it right now: /);
});

Why('by device id, as JSON', async () => {
  const d = devices.find((x) => x.group === 'default/general-nyc')!;
  const r = await runCommand(createWhyCommand(await deps()), [d.deviceId, 'examples', '--at', at, '--format', 'json']);
  assert.is(r.code, 0, r.stderr);
  const json = JSON.parse(r.stdout);
  assert.is(json.group, 'default/general-nyc');
  assert.is(json.policy, 'default/general');
  assert.ok(Array.isArray(json.software) && json.software.length > 0);
  assert.ok(json.explanation.some((l: string) => l.startsWith('Group: general-nyc (time zone America/New_York')));
});

Why('a blocked device names its blocker', async () => {
  const d = devices.find((x) => x.software.some((e) => e.reason.code === 'UnknownFirmware'));
  assert.ok(d, 'the emulated fleet has devices on unverified firmware');
  const r = await runCommand(createWhyCommand(await deps()), [d!.name, 'examples', '--at', at]);
  assert.match(r.stdout, /BLOCKED \(UnknownFirmware\): the device runs firmware Microsoft has not verified/);
});

Why('a VIP room during the year-end freeze: the freeze is named with its end in local time', async () => {
  const d = devices.find((x) => x.group === 'default/vip-rooms');
  assert.ok(d, 'the emulated fleet has VIP rooms in Paris');
  const r = await runCommand(createWhyCommand(await deps()), [d!.name, 'examples', '--at', '2026-12-20T12:00:00Z']);
  assert.is(r.code, 0, r.stderr);
  assert.match(r.stdout, /\nGroup: vip-rooms \(time zone Europe\/Paris, Pro licence\)\./);
  assert.match(r.stdout, /\nFreeze: year-end \(2026-12-18 to 2027-01-04: Year-end executive briefings\) blocks automatic starts until Tue 2027-01-05 00:00 Europe\/Paris\./);
});

Why('a ScheduledUpdate refused beside the automatic rule\'s own update: text and JSON name the refusal, never "completed"', async () => {
  // A device whose policy plans a firmware update of its own: the refusal must not hide behind it.
  const d = devices.find((x) => x.software.some((e) => e.softwareType === 'firmware' && (e.state === 'scheduled' || e.state === 'pending')))!;
  assert.ok(d, 'the emulated fleet has a device with an automatic firmware update planned');
  const dir = await examplesWith({ 'schedules/rollback.yaml': scheduledUpdateYaml('rollback', [d.name], 'firmware', '1.0') });
  try {
    const text = await runCommand(createWhyCommand(await deps()), [d.name, dir, '--at', at]);
    assert.is(text.code, 0, text.stderr);
    assert.match(text.stdout, /\nScheduledUpdate rollback targets it \(now\); REFUSED here: firmware 1\.0 \(Downgrade\)\.\n/);
    assert.not.match(text.stdout, /rollback targets it[^\n]*completed/);
    assert.match(text.stdout, /\n  REFUSED \(Downgrade\): the ScheduledUpdate rollback asks for 1\.0: 1\.0 is older than the installed /);
    assert.match(text.stdout, /\nNeeds a person: firmware: the ScheduledUpdate rollback asks for 1\.0/);
    const json = JSON.parse((await runCommand(createWhyCommand(await deps()), [d.name, dir, '--at', at, '--format', 'json'])).stdout);
    assert.equal(json.refusals.map((r: { softwareType: string; scheduledUpdate: string; version: string; reason: { code: string } }) => [r.softwareType, r.scheduledUpdate, r.version, r.reason.code]), [['firmware', 'default/rollback', '1.0', 'Downgrade']]);
    const firmware = json.software.find((e: { softwareType: string }) => e.softwareType === 'firmware');
    assert.ok(firmware.state === 'scheduled' || firmware.state === 'pending', 'the automatic update still decides the entry');
    assert.is(firmware.refused[0].reason.code, 'Downgrade');
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

Why('an unknown device: exit 1 and says so', async () => {
  const r = await runCommand(createWhyCommand(await deps()), ['no-such-device', 'examples', '--at', at]);
  assert.is(r.code, 1);
  assert.match(r.stderr, /no device has the id, unique id or serial "no-such-device"/);
});

Why.run();
