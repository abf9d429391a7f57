// Output injection through the plan renderers and `why`'s explanation: what devices report
// (serial numbers, models, manufacturers, notes) and group names are hostile input. Each value
// is compared with the same fleet holding a benign one: the value may change what a line says,
// never how many lines there are.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import type { Device } from '../../controller/model/fleet.ts';
import { buildPlan, type PlanInput } from '../../controller/plan/build-plan.ts';
import { explainDevice } from '../../controller/plan/explain-device.ts';
import { forecast } from '../../controller/plan/forecast.ts';
import { planToJson, renderPlanMarkdown, renderPlanText, type PlanView } from '../../controller/plan/render-plan.ts';
import { stringifyJson } from '../../controller/output/escape.ts';
import { assertNoRawControls, assertNoWorkflowCommand, hostile } from '../support/hostile.ts';
import { at, day, device, group, policy, release, software } from './fixtures.ts';

// Saturday noon: inside the default weekend window.
const now = at('2026-11-21T12:00:00Z');

/** Two devices that change, one blocked, and one both groups select; names, models and notes are `value`. */
function view(value: string): { view: PlanView; devices: Device[]; input: PlanInput } {
  const devices = [
    device('d1', { serialNumber: value, manufacturer: value, model: value, notes: `#paris ${value}` }),
    device('d2', { serialNumber: `${value}-2`, model: value, notes: '#paris #lab' }),
    device('d3', { serialNumber: `${value}-3`, model: value, notes: '#paris', healthStatus: 'offline' }),
  ];
  const input: PlanInput = {
    now,
    groups: [
      group(value, { policyRef: { name: 'p' }, selector: { tags: ['paris'] }, timeZone: 'Europe/Paris' }),
      group(`${value}-lab`, { policyRef: { name: 'p' }, selector: { tags: ['lab'] }, priority: 100 }),
    ],
    policies: [policy('p', { software: { firmware: { phase: 'Test' } }, rollout: { maxConcurrent: 1 } })],
    scheduledUpdates: [],
    devices,
    software: new Map(devices.map((d) => [d.id, software(d.id, { firmware: ['1.0', '1.1'] })])),
    operations: [],
    releases: [release(value, 'firmware', '1.1', now - 40 * day)],
  };
  const plan = buildPlan(input);
  return {
    view: { plan, fleet: { kind: 'emulator', seed: '1', devices: devices.length }, devices: new Map(devices.map((d) => [d.id, d])), invalid: [`${value}.yaml:1:1 '${value}' is not valid`], forecast: forecast(input, { days: 7 }) },
    devices,
    input,
  };
}

const benign = view('benign');
const Render = suite('plan renderers and explainDevice with hostile device and group values');

Render('the benign fleet shows every section the hostile ones must keep to one line per row', () => {
  const text = renderPlanText(benign.view);
  for (const section of ['Invalid manifests', 'Devices that change', 'Blocked or failed', 'Devices several groups select', 'Forecast for the next 7 days']) assert.ok(text.includes(section), section);
  assert.ok(renderPlanMarkdown(benign.view).includes('Devices several groups select'));
});

Render('the group tables say which counts are devices and which are updates', () => {
  const text = renderPlanText(benign.view);
  assert.match(text, /\nGroups \(DEVICES counts devices; the columns after it count updates: one device × one software type\)\n/);
  assert.match(text, /\bDEVICES\s+UPDATES-UP-TO-DATE\b/);
  assert.not.match(text, /DEVICES\s+UP-TO-DATE/);
  const md = renderPlanMarkdown(benign.view);
  assert.match(md, /\| Devices \| Updates up to date \|/);
  assert.match(md, /_Devices counts devices; the columns after it count updates \(one device × one software type\)\._/);
});

for (const [what, value] of hostile) {
  Render(`text: ${what}`, () => {
    const out = renderPlanText(view(value).view);
    assert.is(out.split('\n').length, renderPlanText(benign.view).split('\n').length, out);
    assertNoRawControls(out, what);
    assertNoWorkflowCommand(out, what);
  });

  Render(`markdown: ${what}`, () => {
    const out = renderPlanMarkdown(view(value).view);
    const expected = renderPlanMarkdown(benign.view).split('\n');
    const lines = out.split('\n');
    assert.is(lines.length, expected.length, out);
    assertNoRawControls(out, what);
    assertNoWorkflowCommand(out, what);
    // A pipe that ends a cell is one no backslash escapes: each row keeps its table's cells.
    const cells = (line: string) => line.replace(/\\./g, '').split('|').length;
    lines.forEach((line, i) => {
      if (line.startsWith('|')) assert.is(cells(line), cells(expected[i]!), line);
    });
  });

  Render(`json: ${what} parses back to the very value`, () => {
    const json = JSON.parse(stringifyJson(planToJson(view(value).view))) as { devices: { name: string; model: string }[]; invalid: string[] };
    assert.equal(json.devices.map((d) => [d.name, d.model]).sort(), [[value, value], [`${value}-2`, value], [`${value}-3`, value]].sort());
    assert.ok(json.invalid[0]!.includes(`'${value}'`));
  });

  Render(`explainDevice: ${what}`, () => {
    const v = view(value);
    for (const d of v.devices) {
      const e = explainDevice(v.view.plan, d);
      const expected = explainDevice(benign.view.plan, benign.devices.find((b) => b.id === d.id)!);
      assert.is(e.lines.length, expected.lines.length);
      const out = e.lines.join('\n');
      assert.is(out.split('\n').length, expected.lines.join('\n').split('\n').length, out);
      assertNoRawControls(out, what);
      assertNoWorkflowCommand(out, what);
      if (e.blocker !== undefined) assertNoRawControls(e.blocker, `${what} (blocker)`);
    }
  });
}

Render.run();
