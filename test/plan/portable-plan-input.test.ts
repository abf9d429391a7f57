// A compact fleet's plan input sent to a worker thread (the fleet report's and the live view's
// forecasts) must arrive with every device's software: structured cloning drops the compact
// view's methods, so portablePlanInput copies it into a plain Map first. Checked through a real
// MessageChannel, the same cloning postMessage does to a Worker.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { MessageChannel, receiveMessageOnPort } from 'node:worker_threads';
import { buildPlan, type PlanInput } from '../../controller/plan/build-plan.ts';
import { compactFleet } from '../../controller/plan/compact-fleet.ts';
import { portablePlanInput } from '../../controller/plan/portable-plan-input.ts';
import { syntheticFleet } from './synthetic-fleet.ts';

function throughChannel(input: PlanInput): PlanInput {
  const { port1, port2 } = new MessageChannel();
  try {
    port1.postMessage(input);
    return receiveMessageOnPort(port2)!.message as PlanInput;
  } finally {
    port1.close();
  }
}

const plain = syntheticFleet(300, 3);
const fleet = compactFleet(plain.devices, plain.software);
const compact: PlanInput = { ...plain, devices: fleet.devices, software: fleet.software };

test('a compact input arrives with a readable software map and plans as the original', () => {
  const arrived = throughChannel(portablePlanInput(compact));
  assert.instance(arrived.software, Map);
  assert.is(arrived.software.size, plain.software.size);
  const id = plain.devices[0]!.id;
  assert.equal(arrived.software.get(id), plain.software.get(id));
  assert.equal(JSON.stringify(buildPlan(arrived)), JSON.stringify(buildPlan(plain)));
});

test('without it the cloned software is no map at all (why the copy is needed)', () => {
  let arrived: PlanInput | undefined;
  try {
    arrived = throughChannel(compact);
  } catch {
    return; // refusing to clone is as bad: either way the worker never gets the fleet
  }
  assert.not.ok(arrived.software instanceof Map);
  assert.type((arrived.software as { get?: unknown }).get, 'undefined');
});

test('a plain input goes through unchanged', () => {
  assert.is(portablePlanInput(plain), plain);
});

test.run();
