import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import type { SoftwareState, SoftwareType } from '../../controller/model/fleet.ts';
import type { License, UpdatePolicySpec } from '../../controller/model/manifests.generated.ts';
import { decideAutomatic } from '../../controller/policy/automatic.ts';
import { CalendarIndex } from '../../controller/policy/release-calendar.ts';
import { effectiveRule } from '../../controller/policy/software-rules.ts';
import { policy, release } from '../plan/fixtures.ts';

const day = 86_400_000;
const now = Date.parse('2026-11-22T08:00:00Z');
const calendar = new CalendarIndex([
  release('Bar', 'firmware', '1.0', now - 100 * day),
  release('Bar', 'firmware', '1.1', now - 40 * day),
  release('Bar', 'firmware', '1.2', now - 10 * day),
  release('Bar', 'teamsClient', '5.1', now - 20 * day),
  release('Bar', 'teamsClient', '5.2', now - 5 * day),
  release('Bar', 'operatingSystem', '10', now - 50 * day),
]);

const state = (softwareType: SoftwareType, currentVersion: string | null, freshness: SoftwareState['freshness'] = 'updateAvailable', availableVersion: string | null = null): SoftwareState => ({ softwareType, currentVersion, availableVersion, freshness });

interface Case {
  name: string;
  spec: UpdatePolicySpec | undefined;
  license?: License;
  state: SoftwareState;
  outcome: 'stay' | 'update' | 'blocked';
  version?: string;
  eligibleInDays?: number;
  reason: string;
  rule?: RegExp;
}

const fw = (extra: object = {}): UpdatePolicySpec => ({ software: { firmware: { mode: 'automatic', ...extra } } });
const cases: Case[] = [
  { name: 'General: the newest version released 30+ days ago', spec: fw({ phase: 'General' }), state: state('firmware', '1.0'), outcome: 'update', version: '1.1', eligibleInDays: -10, reason: 'Starting', rule: /General phase, installed 30 days after release/ },
  { name: 'default phase is General', spec: fw(), state: state('firmware', '1.0'), outcome: 'update', version: '1.1', reason: 'Starting' },
  { name: 'firmware is automatic even when the policy does not list it', spec: {}, state: state('firmware', '1.0'), outcome: 'update', version: '1.1', reason: 'Starting' },
  { name: 'Test: as soon as released', spec: fw({ phase: 'Test' }), state: state('firmware', '1.0'), outcome: 'update', version: '1.2', eligibleInDays: -10, reason: 'Starting', rule: /as soon as released/ },
  { name: 'Final: 90 days after release, deferred', spec: fw({ phase: 'Final' }), state: state('firmware', '1.0'), outcome: 'update', version: '1.1', eligibleInDays: 50, reason: 'Deferred' },
  { name: 'General after 1.1: 1.2 deferred to day 30', spec: fw({ phase: 'General' }), state: state('firmware', '1.1'), outcome: 'update', version: '1.2', eligibleInDays: 20, reason: 'Deferred' },
  { name: 'lag: 1.1 once 1.2 is out', spec: fw({ phase: 'Test', lagOneVersion: true }), state: state('firmware', '1.0'), outcome: 'update', version: '1.1', eligibleInDays: -10, reason: 'Starting', rule: /one version behind/ },
  { name: 'lag: the newest version waits for a newer one', spec: fw({ phase: 'Test', lagOneVersion: true }), state: state('firmware', '1.1'), outcome: 'stay', reason: 'LagOneVersion' },
  { name: 'lag with General: the later of phase and next release', spec: fw({ phase: 'General', lagOneVersion: true }), state: state('firmware', '1.0'), outcome: 'update', version: '1.1', eligibleInDays: -10, reason: 'Starting' },
  { name: 'Basic licence: always General, and says so', spec: fw({ phase: 'Final' }), license: 'Basic', state: state('firmware', '1.0'), outcome: 'update', version: '1.1', reason: 'Starting', rule: /Basic licence: always the General phase; the policy asks for Final/ },
  { name: 'Basic licence on Test still General', spec: fw({ phase: 'Test' }), license: 'Basic', state: state('firmware', '1.0'), outcome: 'update', version: '1.1', reason: 'Starting' },
  { name: 'unknown firmware is never auto-updated', spec: fw({ phase: 'Test' }), state: state('firmware', '0.9-custom', 'unknown'), outcome: 'blocked', reason: 'UnknownFirmware' },
  { name: 'unknown firmware even with a comparable version', spec: fw({ phase: 'Test' }), state: state('firmware', '1.0', 'unknown'), outcome: 'blocked', reason: 'UnknownFirmware' },
  { name: 'Teams app General: 15 days', spec: { software: { teamsClient: { mode: 'automatic', phase: 'General' } } }, state: state('teamsClient', '5.0'), outcome: 'update', version: '5.1', eligibleInDays: -5, reason: 'Starting', rule: /Teams app: General phase, installed 15 days after release/ },
  { name: 'Teams app Final: 45 days', spec: { software: { teamsClient: { mode: 'automatic', phase: 'Final' } } }, state: state('teamsClient', '5.0'), outcome: 'update', version: '5.1', eligibleInDays: 25, reason: 'Deferred' },
  { name: 'Teams app Test: at release', spec: { software: { teamsClient: { mode: 'automatic', phase: 'Test' } } }, state: state('teamsClient', '5.0'), outcome: 'update', version: '5.2', reason: 'Starting' },
  { name: 'Teams app not listed: manual', spec: fw(), state: state('teamsClient', '5.0', 'updateAvailable', '5.2'), outcome: 'stay', reason: 'ManualOnly', rule: /manual only/ },
  { name: 'operating system: never automatic, even when asked', spec: { software: { operatingSystem: { mode: 'automatic' } } }, state: state('operatingSystem', '9', 'updateAvailable', '10'), outcome: 'stay', reason: 'ManualOnly', rule: /only firmware and the Teams app/ },
  { name: 'no policy: nothing automatic', spec: undefined, state: state('firmware', '1.0'), outcome: 'stay', reason: 'NoPolicy' },
  { name: 'excluded version skipped, the next one waits its phase', spec: fw({ phase: 'General', versions: { exclude: ['1.1'] } }), state: state('firmware', '1.0'), outcome: 'update', version: '1.2', eligibleInDays: 20, reason: 'Deferred' },
  { name: 'maximum holds the fleet', spec: fw({ phase: 'Test', versions: { maximum: '1.1' } }), state: state('firmware', '1.0'), outcome: 'update', version: '1.1', reason: 'Starting' },
  { name: 'nothing allowed below the maximum', spec: fw({ phase: 'Test', versions: { maximum: '1.0.5' } }), state: state('firmware', '1.0'), outcome: 'stay', reason: 'HeldByVersionRules' },
  { name: 'above the maximum: a downgrade is refused', spec: fw({ phase: 'Test', versions: { maximum: '1.1' } }), state: state('firmware', '1.2'), outcome: 'blocked', version: '1.1', reason: 'Downgrade' },
  { name: 'minimum skips older versions', spec: fw({ phase: 'General', versions: { minimum: '1.2' } }), state: state('firmware', '1.0'), outcome: 'update', version: '1.2', eligibleInDays: 20, reason: 'Deferred' },
  { name: 'an installed version that cannot be ordered', spec: fw({ phase: 'Test' }), state: state('firmware', 'beta-7'), outcome: 'blocked', reason: 'NotComparable' },
  { name: 'a device that does not report its version', spec: fw({ phase: 'Test' }), state: state('firmware', null), outcome: 'blocked', reason: 'NotComparable' },
  { name: 'already on the newest', spec: fw({ phase: 'Test' }), state: state('firmware', '1.2', 'latest'), outcome: 'stay', reason: 'UpToDate' },
  { name: 'newer than anything known: no downgrade proposed', spec: fw({ phase: 'Test' }), state: state('firmware', '2.0', 'latest'), outcome: 'stay', reason: 'UpToDate' },
];

const Auto = suite('decideAutomatic');
for (const c of cases) {
  Auto(c.name, () => {
    const rule = effectiveRule(c.spec ? policy('p', c.spec) : undefined, c.state.softwareType, c.license ?? 'Pro');
    const d = decideAutomatic(rule, calendar, 'Bar', c.state, now);
    assert.is(d.outcome, c.outcome, d.reason.message);
    assert.is(d.reason.code, c.reason, d.reason.message);
    if (c.version !== undefined) assert.is(d.version, c.version);
    if (c.eligibleInDays !== undefined) assert.is(d.eligibleAt, now + c.eligibleInDays * day);
    if (c.rule) assert.match(rule.rule.text, c.rule);
    assert.ok(d.reason.message.length > 10, 'a sentence for people');
  });
}
Auto('a device of another model learns nothing from Bar releases', () => {
  const rule = effectiveRule(policy('p', fw({ phase: 'Test' })), 'firmware', 'Pro');
  assert.is(decideAutomatic(rule, calendar, 'Pad', state('firmware', '1.0'), now).outcome, 'stay');
});

Auto.run();
