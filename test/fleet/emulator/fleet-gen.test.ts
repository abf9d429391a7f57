import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { models, platformSoftware } from '../../../controller/fleet/emulator/catalog.ts';
import {
  createFleetSpec, deviceIdAt, findDeviceIndex, findIndexByUniqueId, findIndexByUserId, generateDevice,
} from '../../../controller/fleet/emulator/fleet-gen.ts';
import { dayMs } from '../../../controller/fleet/emulator/releases-gen.ts';
import { computeSoftwareStatus } from '../../../controller/fleet/emulator/software-status.ts';
import { compareVersions } from '../../../controller/policy/version.ts';

const epoch = Date.parse('2026-03-01T00:00:00Z');

const generation = suite('generateDevice');

generation('the same seed and epoch give the same fleet; another seed gives another', () => {
  const a = createFleetSpec({ seed: 7, deviceCount: 300, epoch });
  const b = createFleetSpec({ seed: 7, deviceCount: 300, epoch });
  const c = createFleetSpec({ seed: 8, deviceCount: 300, epoch });
  for (const i of [0, 1, 150, 299]) assert.equal(generateDevice(a, i), generateDevice(b, i));
  assert.equal(a.releases, b.releases);
  assert.is.not(generateDevice(a, 5).id, generateDevice(c, 5).id);
});

generation('a string seed works and differs from a numeric one', () => {
  const text = createFleetSpec({ seed: '42', deviceCount: 5, epoch });
  const number = createFleetSpec({ seed: 42, deviceCount: 5, epoch });
  assert.is.not(generateDevice(text, 0).id, generateDevice(number, 0).id);
});

generation('tags follow the conventions the example config repository relies on', () => {
  const spec = createFleetSpec({ seed: 42, deviceCount: 20_000, epoch });
  const counts = new Map<string, number>();
  let rooms = 0;
  let vipRooms = 0;
  let vipElsewhere = 0;
  let assetTags = 0;
  let unknownFirmware = 0;
  for (let i = 0; i < spec.deviceCount; i++) {
    const d = generateDevice(spec, i);
    const siteTags = d.tags.filter((t) => t.startsWith('site-'));
    assert.is(siteTags.length, 1, 'exactly one site tag');
    for (const t of d.tags) {
      counts.set(t, (counts.get(t) ?? 0) + 1);
      assert.ok(d.notes.includes(`#${t}`), `notes carry #${t}`);
    }
    const isRoom = d.deviceType === 'teamsRoom' || d.deviceType === 'collaborationBar' || d.deviceType === 'surfaceHub';
    if (isRoom) rooms++;
    if (d.tags.includes('vip')) isRoom ? vipRooms++ : vipElsewhere++;
    if (d.tags.includes('basic')) assert.ok(d.tags.includes('site-lisbon'), 'Basic licences only in Lisbon');
    if (d.companyAssetTag) {
      assetTags++;
      assert.match(d.companyAssetTag, /^IT-\d{5,}$/);
    }
    if (d.unknownFirmware) unknownFirmware++;
  }
  const share = (tag: string) => (counts.get(tag) ?? 0) / spec.deviceCount;
  const near = (value: number, target: number, tolerance: number, what: string) => assert.ok(Math.abs(value - target) <= tolerance, `${what}: ${value.toFixed(3)} not near ${target}`);
  near(share('site-paris'), 0.45, 0.02, 'site-paris');
  near(share('site-nyc'), 0.45, 0.02, 'site-nyc');
  near(share('site-lisbon'), 0.1, 0.015, 'site-lisbon');
  near(share('lab'), 0.04, 0.01, 'lab');
  near(share('basic'), 0.08, 0.015, 'basic');
  near(vipRooms / rooms, 0.08, 0.015, 'vip among rooms');
  assert.is(vipElsewhere, 0, 'vip only on Teams Rooms, bars and Surface Hubs');
  near(assetTags / spec.deviceCount, 0.92, 0.02, 'asset tags');
  near(unknownFirmware / spec.deviceCount, 0.03, 0.01, 'unknown firmware');
});

generation('every device type of the API appears, each model with its own type', () => {
  const spec = createFleetSpec({ seed: 1, deviceCount: 5000, epoch });
  const types = new Set<string>();
  for (let i = 0; i < spec.deviceCount; i++) {
    const d = generateDevice(spec, i);
    types.add(d.deviceType);
    assert.is(models[d.modelIndex]?.deviceType, d.deviceType);
  }
  for (const t of ['ipPhone', 'teamsRoom', 'collaborationBar', 'teamsDisplay', 'teamsPanel', 'surfaceHub', 'lowCostPhone', 'touchConsole', 'sip', 'sipAnalog']) {
    assert.ok(types.has(t), `${t} present`);
  }
  assert.is(new Set(models.map((m) => m.model.toLowerCase())).size, models.length, 'model names are unique');
});

generation('ids, uniqueIds and user ids lead back to their device; others to none', () => {
  const spec = createFleetSpec({ seed: 3, deviceCount: 1000, epoch });
  for (const i of [0, 17, 999]) {
    const d = generateDevice(spec, i);
    assert.match(d.id, /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    assert.is(findDeviceIndex(spec, d.id), i);
    assert.is(findDeviceIndex(spec, d.id.toUpperCase()), i, 'ids compare case-insensitively');
    assert.is(findIndexByUniqueId(spec, d.uniqueId), i);
    if (d.currentUser) assert.is(findIndexByUserId(spec, d.currentUser.id), i);
  }
  const other = createFleetSpec({ seed: 4, deviceCount: 1000, epoch });
  assert.is(findDeviceIndex(spec, deviceIdAt(other, 5)), undefined, 'an id of another fleet');
  assert.is(findDeviceIndex(spec, '00000000-0000-0000-0000-000000000000'), undefined);
  assert.is(findDeviceIndex(spec, 'not-a-guid'), undefined);
  assert.is(findIndexByUniqueId(spec, 'phone-paris-999999'), undefined);
});

generation('100,000 devices: the spec builds quickly and any device is generated on demand', () => {
  const spec = createFleetSpec({ seed: 42, deviceCount: 100_000, epoch });
  assert.is(spec.modelOf.length, 100_000);
  const last = generateDevice(spec, 99_999);
  assert.is(findDeviceIndex(spec, last.id), 99_999);
  assert.is(last.companyAssetTag === null || last.companyAssetTag === 'IT-100000', true);
  assert.throws(() => generateDevice(spec, 100_000), /no device/);
});

const releases = suite('generated releases');

releases('each model has ascending, comparable versions over the ~6 months before the epoch, for the types its platform supports', () => {
  for (let seed = 1; seed <= 30; seed++) checkHistories(seed);
  const spec = createFleetSpec({ seed: 9, deviceCount: 1, epoch });
  assert.is(spec.releases[models.findIndex((m) => m.model === 'ThinkSmart Core')]?.firmware, undefined, 'Windows rooms have no firmware history');
});

function checkHistories(seed: number): void {
  const spec = createFleetSpec({ seed, deviceCount: 1, epoch });
  models.forEach((model, k) => {
    const byType = spec.releases[k] ?? {};
    assert.equal(Object.keys(byType).sort(), [...platformSoftware[model.platform]].sort(), `${model.model} software types`);
    for (const [type, list] of Object.entries(byType)) {
      assert.ok(list.length >= 3, `${model.model} ${type} has a history`);
      assert.ok(list.some((r) => r.verified), `${model.model} ${type} has a verified version`);
      for (let j = 1; j < list.length; j++) {
        assert.is(compareVersions(list[j]!.version, list[j - 1]!.version), 1, `${model.model} ${type} ascending`);
        assert.ok(list[j]!.releasedAt >= list[j - 1]!.releasedAt);
      }
      for (const r of list) {
        assert.ok(r.releasedAt <= epoch && r.releasedAt >= epoch - 200 * dayMs, `${model.model} ${type} ${r.version} date`);
      }
    }
  });
}

releases('devices start on released versions, mostly with an update available', () => {
  const spec = createFleetSpec({ seed: 5, deviceCount: 2000, epoch });
  let withUpdate = 0;
  let known = 0;
  for (let i = 0; i < spec.deviceCount; i++) {
    const d = generateDevice(spec, i);
    const history = spec.releases[d.modelIndex]?.firmware;
    if (!history || !d.software.firmware) continue;
    const status = computeSoftwareStatus(d.software.firmware, history, epoch);
    if (d.unknownFirmware) {
      assert.is(status.softwareFreshness, 'unknown');
      continue;
    }
    known++;
    assert.ok(history.some((r) => r.version === d.software.firmware && r.verified), 'starts on a verified release');
    if (status.softwareFreshness === 'updateAvailable') withUpdate++;
  }
  assert.ok(withUpdate / known > 0.6, `most devices have a firmware update (${withUpdate}/${known})`);
  assert.ok(withUpdate < known, 'some are on the latest');
});

const status = suite('computeSoftwareStatus');
const history = [
  { version: '1.10.0', releasedAt: 100, verified: true },
  { version: '1.11.0', releasedAt: 200, verified: true },
  { version: '1.12.0', releasedAt: 300, verified: false },
  { version: '1.13.0', releasedAt: 400, verified: true },
];
const statusCases: [string, string | undefined, number, string, string | null][] = [
  ['older verified version, newer one released', '1.10.0', 250, 'updateAvailable', '1.11.0'],
  ['newest verified wins, unverified skipped', '1.10.0', 450, 'updateAvailable', '1.13.0'],
  ['a release in the future is not offered', '1.11.0', 350, 'latest', null],
  ['on the newest verified', '1.13.0', 450, 'latest', null],
  ['unverified installed: unknown, still offered the next verified', '1.12.0', 450, 'unknown', '1.13.0'],
  ['hotfix build outside the list: unknown', '1.10.0.901', 250, 'unknown', '1.11.0'],
  ['nothing installed', undefined, 450, 'unknown', null],
];
for (const [name, current, now, freshness, available] of statusCases) {
  status(name, () => {
    const result = computeSoftwareStatus(current, history, now);
    assert.is(result.softwareFreshness, freshness);
    assert.is(result.availableVersion, available);
    assert.is(result.currentVersion, current ?? null);
  });
}

generation.run();
releases.run();
status.run();
