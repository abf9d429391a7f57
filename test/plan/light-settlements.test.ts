// Light updates of one group and wave are settled once per installed version, eligibility and
// reason (light-updates.ts settle), so devices of different models whose decisions read alike
// share an entry and the others keep their own. Each device below waits for firmware 1.1 in the
// one wave of its group; its entry must name its own installed version and its own model's
// release (when it becomes eligible, and why), whatever devices were settled before it.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { Plan, PlanEntry } from '../../controller/model/plan.ts';
import { buildPlan } from '../../controller/plan/build-plan.ts';
import { sameValue } from '../../controller/plan/device-plans.ts';
import { at, day, device, group, iso, policy, release, software } from './fixtures.ts';

const now = at('2026-11-21T12:00:00Z');
// When each model's firmware 1.1 was first seen: A and B the same day, C later.
const seen: Record<string, number> = { A: now - 10 * day, B: now - 10 * day, C: now - 5 * day };

interface Row {
  readonly id: string;
  readonly model: string;
  readonly installed: string;
  /** The device whose entry this one's must equal, key for key (settled alike). */
  readonly sameAs?: string;
}

const rows: Row[] = [
  { id: 'a1', model: 'A', installed: '1.0' },
  { id: 'b1', model: 'B', installed: '1.0', sameAs: 'a1' },
  { id: 'a2', model: 'A', installed: '0.9' },
  { id: 'b2', model: 'B', installed: '0.9', sameAs: 'a2' },
  { id: 'c1', model: 'C', installed: '1.0' },
  { id: 'c2', model: 'C', installed: '0.9' },
];

function planOf(): Plan {
  const devices = rows.map((r) => device(r.id, { model: r.model, tags: ['paris'] }));
  return buildPlan({
    now,
    groups: [group('rooms', { policyRef: { name: 'p' }, selector: { tags: ['paris'] } })],
    policies: [policy('p', { rollout: { waves: [{ name: 'all', percent: 100 }] } })],
    scheduledUpdates: [],
    devices,
    software: new Map(rows.map((r) => [r.id, software(r.id, { firmware: [r.installed, '1.1'] })])),
    operations: [],
    releases: Object.entries(seen).map(([model, firstSeen]) => release(model, 'firmware', '1.1', firstSeen)),
  });
}

const plan = planOf();
const firmware = (id: string): PlanEntry => plan.devices.find((d) => d.deviceId === id)!.entries.find((e) => e.softwareType === 'firmware')!;

for (const row of rows) {
  test(`${row.id} (${row.model}, ${row.installed}): its own version and its model's release`, () => {
    const e = firmware(row.id);
    assert.is(e.state, 'scheduled');
    assert.is(e.currentVersion, row.installed);
    assert.is(e.desiredVersion, '1.1');
    assert.ok(e.earliestStart !== undefined && e.earliestStart >= seen[row.model]! + 30 * day, `${iso(e.earliestStart)}`);
    assert.ok(e.reason.message.includes(`first seen ${iso(seen[row.model])!.slice(0, 10)}`), e.reason.message);
    if (row.sameAs) assert.ok(sameValue(e, firmware(row.sameAs)), `${JSON.stringify(e)}\n${JSON.stringify(firmware(row.sameAs))}`);
  });
}

test('models released on other days wait for other instants', () => {
  assert.ok(firmware('c1').earliestStart! > firmware('a1').earliestStart!);
});

test.run();
