// Every semantic rule, table-driven: a set of manifests, and exactly the findings (rule and
// position of the offending node) lint must report for them, no more, no fewer.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { assertFindings, file, group, lintText, policy, schedule, type ExpectedFinding } from './manifest-texts.ts';

interface Case {
  name: string;
  text: string;
  expect: ExpectedFinding[];
}

const okPolicy = policy('p');
const okGroup = (name = 'g', extra = '') => group(name, `policyRef: { name: p }\nselector: { tags: [a] }\ntimeZone: Europe/Paris\n${extra}`);
const sched = (spec: string) => schedule('s', spec);

const cases: Case[] = [
  // dangling-reference
  { name: 'a group naming an existing policy is fine', text: file(okPolicy, okGroup()), expect: [] },
  { name: 'policyRef to a missing policy', text: file(okPolicy, group('g', 'policyRef: { name: pp }\ntimeZone: UTC\nselector: {}')), expect: [['dangling-reference', 'pp }']] },
  {
    name: 'policyRef only resolves in the same namespace',
    text: file(okPolicy.replace('name: p', 'name: p\n  namespace: other'), group('g', 'policyRef: { name: p }\ntimeZone: UTC\nselector: {}')),
    expect: [['dangling-reference', 'p }']],
  },
  { name: 'groupRef to a missing group', text: file(sched('targets: { groupRef: { name: nope } }\nsoftware: [{ type: teamsClient }]')), expect: [['dangling-reference', 'nope']] },
  // duplicate-name
  { name: 'the same name twice is an error on the second', text: file(okPolicy, policy('p')), expect: [['duplicate-name', 'name: p', 2, 6]] },
  { name: 'the same name in two namespaces is fine', text: file(okPolicy, okPolicy.replace('name: p', 'name: p\n  namespace: other')), expect: [] },
  { name: 'the same name on two kinds is fine', text: file(okPolicy, group('p', 'policyRef: { name: p }\ntimeZone: UTC\nselector: {}')), expect: [] },
  // invalid-time-zone
  { name: 'a misspelt group time zone', text: file(okPolicy, group('g', 'policyRef: { name: p }\nselector: {}\ntimeZone: Europe/Pariss')), expect: [['invalid-time-zone', 'Europe/Pariss']] },
  { name: 'aliases like Etc/UTC and UTC are time zones', text: file(okPolicy, group('g', 'policyRef: { name: p }\nselector: {}\ntimeZone: Etc/UTC'), group('h', 'policyRef: { name: p }\nselector: {}\ntimeZone: UTC')), expect: [] },
  { name: 'device-local is not a group time zone', text: file(okPolicy, group('g', 'policyRef: { name: p }\nselector: {}\ntimeZone: device-local')), expect: [['invalid-time-zone', 'device-local']] },
  {
    name: 'window and freeze time zones are checked, device-local allowed',
    text: file(policy('p', 'maintenanceWindows:\n  - { start: "22:00", end: "05:00", timeZone: Mars/Olympus }\n  - { start: "22:00", end: "05:00", timeZone: device-local }\nfreezes:\n  - { start: "2026-12-01", end: "2026-12-02", timeZone: Nowhere }')),
    expect: [['invalid-time-zone', 'Mars/Olympus'], ['invalid-time-zone', 'Nowhere']],
  },
  { name: 'a schedule time zone is checked', text: file(okPolicy, okGroup(), sched('targets: { groupRef: { name: g } }\nsoftware: [{ type: teamsClient }]\nat: "2027-01-01T10:00"\ntimeZone: Europe/Londres')), expect: [['invalid-time-zone', 'Europe/Londres']] },
  // device-local-without-time-zone
  { name: 'a group without time zone on a policy with device-local windows', text: file(policy('p', 'maintenanceWindows:\n  - { start: "22:00", end: "05:00" }'), group('g', 'policyRef: { name: p }\nselector: {}')), expect: [['device-local-without-time-zone', 'policyRef']] },
  { name: 'the default windows are device-local too', text: file(okPolicy, group('g', 'policyRef: { name: p }\nselector: {}')), expect: [['device-local-without-time-zone', 'policyRef']] },
  { name: 'windows in a named zone need no group time zone', text: file(policy('p', 'maintenanceWindows:\n  - { start: "22:00", end: "05:00", timeZone: Europe/Paris }'), group('g', 'policyRef: { name: p }\nselector: {}')), expect: [] },
  // windows
  { name: 'a window with end and duration', text: file(policy('p', 'maintenanceWindows:\n  - start: "22:00"\n    end: "05:00"\n    duration: 7h')), expect: [['window-end-and-duration', 'duration']] },
  { name: 'a window with neither end nor duration', text: file(policy('p', 'maintenanceWindows:\n  - start: "22:00"')), expect: [['window-without-end', 'start: "22:00"']] },
  { name: 'a window that starts when it ends is empty', text: file(policy('p', 'maintenanceWindows:\n  - start: "22:00"\n    end: "22:00"')), expect: [['window-empty', '"22:00"', 2]] },
  { name: 'a zero duration is empty', text: file(policy('p', 'maintenanceWindows:\n  - start: "22:00"\n    duration: 0h0m')), expect: [['window-empty', '0h0m']] },
  { name: 'a 20-minute window is too short', text: file(policy('p', 'maintenanceWindows:\n  - start: "23:50"\n    end: "00:10"')), expect: [['window-too-short', '"00:10"']] },
  { name: 'a 30-minute window is fine', text: file(policy('p', 'maintenanceWindows:\n  - start: "23:45"\n    end: "00:15"\n  - start: "00:00"\n    end: "24:00"')), expect: [] },
  { name: 'a window longer than 7 days', text: file(policy('p', 'maintenanceWindows:\n  - start: "00:00"\n    duration: 7d1m')), expect: [['window-too-long', '7d1m']] },
  { name: 'a 7-day window is fine', text: file(policy('p', 'maintenanceWindows:\n  - start: "00:00"\n    duration: 7d')), expect: [] },
  // freezes
  { name: 'a freeze that ends before it starts', text: file(policy('p', 'freezes:\n  - start: "2026-12-10"\n    end: "2026-12-01"')), expect: [['freeze-end-before-start', '"2026-12-01"']] },
  { name: 'a one-day freeze is fine', text: file(policy('p', 'freezes:\n  - start: "2026-12-10"\n    end: "2026-12-10"')), expect: [] },
  { name: 'a freeze on 30 February', text: file(policy('p', 'freezes:\n  - start: "2027-02-30"\n    end: "2027-03-02"')), expect: [['invalid-date', '"2027-02-30"']] },
  // waves
  { name: 'a wave with percent and count', text: file(policy('p', 'rollout:\n  waves:\n    - percent: 10\n      count: 5')), expect: [['wave-size', 'count']] },
  { name: 'a wave with neither', text: file(policy('p', 'rollout:\n  waves:\n    - name: first')), expect: [['wave-size', 'name: first']] },
  { name: 'wave percents over 100', text: file(policy('p', 'rollout:\n  waves:\n    - percent: 60\n    - percent: 50')), expect: [['waves-over-100-percent', 'waves']] },
  { name: 'wave percents of exactly 100 are fine', text: file(policy('p', 'rollout:\n  waves:\n    - percent: 33.3\n    - percent: 33.3\n    - percent: 33.4\n    - count: 2')), expect: [] },
  // schedules: at and timeZone
  { name: "'at' without a time zone", text: file(okPolicy, okGroup(), sched('targets: { groupRef: { name: g } }\nsoftware: [{ type: teamsClient }]\nat: "2027-01-01T10:00"')), expect: [['schedule-at-without-time-zone', 'at:']] },
  { name: "a time zone without 'at'", text: file(okPolicy, okGroup(), sched('targets: { groupRef: { name: g } }\nsoftware: [{ type: teamsClient }]\ntimeZone: Europe/Paris')), expect: [['schedule-time-zone-without-at', 'timeZone: Europe/Paris', 2]] },
  { name: 'a schedule in the past', text: file(okPolicy, okGroup(), sched('targets: { groupRef: { name: g } }\nsoftware: [{ type: teamsClient }]\nat: "2026-11-22T08:30"\ntimeZone: Europe/Paris')), expect: [['schedule-in-past', '"2026-11-22T08:30"']] },
  { name: 'a schedule later today is fine', text: file(okPolicy, okGroup(), sched('targets: { groupRef: { name: g } }\nsoftware: [{ type: teamsClient }]\nat: "2026-11-22T09:30"\ntimeZone: Europe/Paris')), expect: [] },
  { name: "'at' on 31 April", text: file(okPolicy, okGroup(), sched('targets: { groupRef: { name: g } }\nsoftware: [{ type: teamsClient }]\nat: "2027-04-31T10:00"\ntimeZone: Europe/Paris')), expect: [['invalid-date', '"2027-04-31T10:00"']] },
  // schedule-after-max-delay
  { name: 'firmware scheduled after the General delay', text: file(okPolicy, okGroup(), sched('targets: { groupRef: { name: g } }\nsoftware: [{ type: firmware }]\nat: "2027-01-15T10:00"\ntimeZone: Europe/Paris')), expect: [['schedule-after-max-delay', '"2027-01-15T10:00"']] },
  { name: 'firmware scheduled within the General delay is fine', text: file(okPolicy, okGroup(), sched('targets: { groupRef: { name: g } }\nsoftware: [{ type: firmware }]\nat: "2026-12-15T10:00"\ntimeZone: Europe/Paris')), expect: [] },
  { name: 'the Final phase allows 90 days', text: file(policy('p', 'software:\n  firmware: { phase: Final }'), okGroup(), sched('targets: { groupRef: { name: g } }\nsoftware: [{ type: firmware }]\nat: "2027-01-15T10:00"\ntimeZone: Europe/Paris')), expect: [] },
  {
    name: 'a Basic licence counts as General for the delay',
    text: file(policy('p', 'software:\n  firmware: { phase: General }'), okGroup('g', 'license: Basic'), sched('targets: { groupRef: { name: g } }\nsoftware: [{ type: firmware }]\nat: "2027-01-15T10:00"\ntimeZone: Europe/Paris')),
    expect: [['schedule-after-max-delay', '"2027-01-15T10:00"']],
  },
  { name: 'manual firmware has no delay to exceed', text: file(policy('p', 'software:\n  firmware: { mode: manual }'), okGroup(), sched('targets: { groupRef: { name: g } }\nsoftware: [{ type: firmware }]\nat: "2027-06-15T10:00"\ntimeZone: Europe/Paris')), expect: [] },
  // basic-license-phase
  { name: 'a Basic group on a Final policy', text: file(policy('p', 'software:\n  firmware: { phase: Final }'), okGroup('g', 'license: Basic')), expect: [['basic-license-phase', 'Basic']] },
  { name: 'a Pro group on a Final policy is fine', text: file(policy('p', 'software:\n  firmware: { phase: Final }'), okGroup('g', 'license: Pro')), expect: [] },
  // versions
  { name: 'policy versions that cannot be ordered', text: file(policy('p', 'software:\n  firmware:\n    versions: { minimum: "1.2-beta", maximum: "2.0", exclude: ["x1", "1.9"] }')), expect: [['version-not-comparable', '"1.2-beta"'], ['version-not-comparable', '"x1"']] },
  { name: 'minimum above maximum', text: file(policy('p', 'software:\n  firmware:\n    versions: { minimum: "2.0", maximum: "1.10" }')), expect: [['version-range-empty', '"1.10"']] },
  { name: 'a schedule version that cannot be ordered', text: file(okPolicy, okGroup(), sched('targets: { groupRef: { name: g } }\nsoftware:\n  - { type: teamsClient, version: "v2" }\n  - { type: firmware, version: latest }')), expect: [['version-not-comparable', '"v2"']] },
  // modes and settings
  { name: 'automatic operating system updates', text: file(policy('p', 'software:\n  operatingSystem: { mode: automatic }')), expect: [['mode-not-automatic', 'automatic']] },
  { name: 'automatic teamsClient is fine', text: file(policy('p', 'software:\n  teamsClient: { mode: automatic, phase: Final }')), expect: [] },
  { name: 'unverified automatic firmware', text: file(policy('p', 'software:\n  firmware: { verifiedOnly: false }')), expect: [['unverified-firmware-automatic', 'false']] },
  { name: 'unverified manual firmware is fine', text: file(policy('p', 'software:\n  firmware: { mode: manual, verifiedOnly: false }')), expect: [] },
  {
    name: 'settings where they mean nothing',
    text: file(policy('p', 'software:\n  adminAgent: { phase: Test, lagOneVersion: true, verifiedOnly: true }\n  teamsClient: { phase: Final }')),
    expect: [['setting-ignored', 'phase'], ['setting-ignored', 'lagOneVersion'], ['setting-ignored', 'verifiedOnly'], ['setting-ignored', 'phase', 2]],
  },
  // device lists and targets
  { name: 'a device included by two groups', text: file(okPolicy, okGroup('g', 'include: [dev-1, dev-2]'), okGroup('h', 'include: [DEV-2]')), expect: [['device-in-two-groups', 'DEV-2']] },
  { name: 'a device included and excluded is fine', text: file(okPolicy, okGroup('g', 'include: [dev-1]'), okGroup('h', 'exclude: [dev-1]')), expect: [] },
  { name: 'a schedule on a group that matches nothing', text: file(okPolicy, group('g', 'policyRef: { name: p }\ntimeZone: UTC\ninclude: [d1]\nexclude: [d1]'), sched('targets: { groupRef: { name: g } }\nsoftware: [{ type: teamsClient }]')), expect: [['group-matches-nothing', 'spec', 2], ['targets-nothing', 'targets']] },
  { name: 'a schedule whose selector excludes what it asks for', text: file(sched('targets: { selector: { tags: [vip], excludeTags: [VIP] } }\nsoftware: [{ type: teamsClient }]')), expect: [['targets-nothing', 'targets']] },
  { name: 'device ids always target something', text: file(sched('targets: { selector: { tags: [vip], excludeTags: [vip] }, deviceIds: [d1] }\nsoftware: [{ type: teamsClient }]')), expect: [] },
  { name: 'the same software type twice', text: file(sched('targets: { deviceIds: [d1] }\nsoftware:\n  - type: firmware\n  - type: teamsClient\n  - type: firmware')), expect: [['duplicate-software-type', 'firmware', 2]] },
  // suspend
  { name: 'a suspension that ended', text: file(policy('p', 'suspend: { reason: incident, by: ana, until: "2026-11-01T00:00:00Z" }')), expect: [['suspend-expired', '"2026-11-01T00:00:00Z"']] },
  { name: 'a suspension still running is fine', text: file(policy('p', 'suspend: { reason: incident, by: ana, until: "2026-12-01T00:00:00Z" }')), expect: [] },
];

for (const c of cases) test(c.name, () => assertFindings(c.text, c.expect));

test('semantic messages name what to do', () => {
  const text = file(okPolicy, okGroup(), sched('targets: { groupRef: { name: g } }\nsoftware: [{ type: firmware }]\nat: "2027-01-15T10:00"\ntimeZone: Europe/Paris'));
  const [f] = lintText(text);
  assert.ok(f);
  assert.match(f.message, /will run by 2026-12-22 09:00 Europe\/Paris at the latest/);
  const dangling = lintText(file(policy('general'), group('g', 'policyRef: { name: generl }\ntimeZone: UTC\nselector: {}')))[0]!;
  assert.match(dangling.message, /no UpdatePolicy named 'generl'.*did you mean 'general'\?/);
  const zone = lintText(file(okPolicy, group('g', 'policyRef: { name: p }\nselector: {}\ntimeZone: Europe/Pariss')))[0]!;
  assert.match(zone.message, /did you mean 'Europe\/Paris'\?/);
});

test('semantic findings carry the manifest key and the JSON pointer', () => {
  const [f] = lintText(file(policy('p', 'maintenanceWindows:\n  - start: "22:00"\n    end: "05:00"\n    duration: 7h')));
  assert.is(f?.key, 'default/UpdatePolicy/p');
  assert.is(f?.path, '/spec/maintenanceWindows/0/duration');
});

test.run();
