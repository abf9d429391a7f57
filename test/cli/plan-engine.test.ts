// `plan` is the controller's engine by construction: the plan it renders for the examples and an
// emulated fleet is the plan createEngine computes from the same input (same starts, same
// entries), and a fact only the engine's input assembly applies (holidays read from an .ics
// file the manifests reference) shows in `plan` too.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { rm } from 'node:fs/promises';
import { createPlanCommand, gather } from '../../controller/cli/plan.ts';
import { createEngine } from '../../controller/reconcile/engine.ts';
import { parseFleetOptions } from '../../controller/config/fleet-options.ts';
import { planToJson } from '../../controller/plan/render-plan.ts';
import { stringifyJson } from '../../controller/output/escape.ts';
import { deps, examplesWith, quietIO, runCommand } from './plan-harness.ts';

/** The plan command's JSON and, from an input gathered the same way, what the controller's engine makes of it. */
async function bothWays(path: string, at: string) {
  const d = await deps();
  const shown = await runCommand(createPlanCommand(d), [path, '--at', at, '--format', 'json']);
  assert.is(shown.code, 0, shown.stderr);
  const { options: fleetOptions } = parseFleetOptions(['--emulator'], {});
  const gathered = await gather([path], { now: Date.parse(at), fleetOptions, statePath: undefined, io: quietIO, deps: d });
  const engine = createEngine({ statusDetail: 'summary' })(gathered.input);
  return { shown, gathered, engine };
}

test('the examples on an emulated fleet: plan renders the plan the controller\'s engine computes, with the same starts', async () => {
  const { shown, gathered, engine } = await bothWays('examples', '2026-11-23T10:00:00Z');
  assert.ok(engine.plan, 'the engine hands out its plan');
  assert.equal(gathered.plan, engine.plan, 'same entries, reasons and actions');
  const starts = engine.starts.map((s) => `${s.deviceId} ${s.softwareType} ${s.version} ${s.owner}`);
  assert.ok(starts.length > 0, 'something starts in the lab office hours');
  assert.equal(gathered.plan.actions.map((a) => `${a.deviceId} ${a.softwareType} ${a.version} ${a.owner}`), starts);
  const rendered = planToJson({ plan: engine.plan!, fleet: gathered.fleet, devices: gathered.devices, invalid: gathered.invalid, limit: 50 });
  assert.is(shown.stdout, `${stringifyJson(rendered)}\n`);
  // Every group, policy and ScheduledUpdate gets a status from that same evaluation.
  const kinds = new Set(['DeviceGroup', 'UpdatePolicy', 'ScheduledUpdate']);
  assert.is(engine.statuses.length, gathered.input.desired.manifests.filter((m) => kinds.has(m.kind)).length);
});

interface PlanJson {
  devices: { group?: string; software: { softwareType: string; state: string; reason: { message: string } }[] }[];
  actions: { group?: string }[];
}

const labMove = 'BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//t//EN\r\nBEGIN:VEVENT\r\nUID:move\r\nDTSTART;VALUE=DATE:20261124\r\nSUMMARY:Lab move\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n';
const labGroup = `apiVersion: firmwarden.dev/v1alpha1
kind: DeviceGroup
metadata:
  name: lab
spec:
  policyRef:
    name: lab
  selector:
    tags: [lab]
  priority: 100
  timeZone: Europe/Paris
  holidays:
    calendars:
      - file: lab-move.ics
`;

test('holidays from an .ics file, which the engine reads with the manifests, close the lab\'s window in plan as in the controller', async () => {
  const dir = await examplesWith({ 'groups/lab.yaml': labGroup, 'groups/lab-move.ics': labMove });
  try {
    // Tuesday 11:00 in Paris: inside the lab's office hours, but the lab is moving that day.
    const { shown, gathered, engine } = await bothWays(dir, '2026-11-24T10:00:00Z');
    const json = JSON.parse(shown.stdout) as PlanJson;
    const lab = json.devices.filter((x) => x.group === 'default/lab');
    assert.ok(lab.length > 0, 'the emulated fleet has lab devices');
    assert.not.ok(json.actions.some((a) => a.group === 'default/lab'), 'nothing starts in the lab on its holiday');
    assert.ok(lab.some((x) => x.software.some((e) => /closed for Lab move \(lab-move\.ics\)/.test(e.reason.message))), 'the lab\'s entries say why');
    assert.equal(gathered.plan, engine.plan);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test.run();
