// plan against an emulator started apart, as against a tenant: an update someone started on
// the fleet (not in any state file) shows as in progress instead of starting now, only the
// devices the plan would start have their operations read, and a long read shows progress on
// stderr, never on stdout.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { Writable } from 'node:stream';
import { ManualClock } from '../../controller/model/clock.ts';
import { silentLogger } from '../../controller/log/logger.ts';
import { startEmulator } from '../../controller/fleet/emulator/server.ts';
import type { EmulatorHandle } from '../../controller/fleet/emulator/emulator-options.ts';
import { createFleet } from '../../controller/config/fleet-connection.ts';
import { parseFleetOptions } from '../../controller/config/fleet-options.ts';
import { createPlanCommand } from '../../controller/cli/plan.ts';
import type { CommandIO } from '../../controller/cli/command.ts';
import { parser, root, runCommand } from './plan-harness.ts';

// A Monday at 11:00 in Paris: the lab's window is open, so lab devices (Test phase) start now.
const at = '2026-11-23T10:00:00Z';

let emulator: EmulatorHandle;
const flags = () => ['--graph-url', emulator.graphBaseUrl, '--tenant', emulator.tenant, '--client-id', emulator.clientId, '--client-secret', emulator.clientSecret, '--fleet-rate', '1000'];

interface PlanJson {
  devices: { deviceId: string; software: { softwareType: string; state: string; reason: { code: string; message: string } }[] }[];
  actions: { deviceId: string; softwareType: string; version: string }[];
}

const Fleet = suite('plan and the fleet\'s own operations');

Fleet.before(async () => {
  emulator = await startEmulator({ clock: new ManualClock(Date.parse(at)), devices: 120, seed: 42, rateLimit: 0 });
});
Fleet.after(async () => {
  await emulator.close();
});

Fleet('an update started outside firmwarden: in progress, not started again; only the devices to start are asked for their operations', async () => {
  const command = createPlanCommand({ parse: await parser() });
  const first = await runCommand(command, ['examples', '--at', at, '--format', 'json', ...flags()], root, {});
  assert.is(first.code, 0, first.stderr);
  const before = JSON.parse(first.stdout) as PlanJson;
  assert.ok(before.actions.length >= 2, 'lab devices start now');
  const target = before.actions[0]!;

  // Someone starts that update in the admin center.
  const { options } = parseFleetOptions(flags(), {});
  const connection = await createFleet(options, { logger: silentLogger(), clock: new ManualClock(Date.parse(at)) });
  const started = await connection.fleet.startUpdate({ deviceId: target.deviceId, softwareType: target.softwareType as 'teamsClient', version: target.version });
  await connection.close();

  emulator.control.resetLog();
  const second = await runCommand(command, ['examples', '--at', at, '--format', 'json', ...flags()], root, {});
  assert.is(second.code, 0, second.stderr);
  const after = JSON.parse(second.stdout) as PlanJson;
  assert.not.ok(after.actions.some((a) => a.deviceId === target.deviceId), 'not started a second time');
  const entries = after.devices.find((d) => d.deviceId === target.deviceId)!.software;
  const running = entries.find((e) => e.state === 'inProgress');
  assert.ok(running, JSON.stringify(entries));
  assert.match(running!.reason.message, `an update firmwarden did not start is running on the device (operation ${started.operation.id}`);
  // Fewer lab devices than the lab's maxConcurrent: the others start as before.
  assert.equal(after.actions.map((a) => a.deviceId), before.actions.filter((a) => a.deviceId !== target.deviceId).map((a) => a.deviceId));

  // Requests: the list pages, one health read per device, and per device it would start one
  // operations read and one activity read (is it in use?), as the controller reads before a POST.
  const stats = emulator.control.stats();
  const pages = Math.ceil(120 / 50);
  const startReads = stats.graphRequests - pages - 120;
  assert.ok(startReads >= 2 * after.actions.length && startReads <= 2 * (before.actions.length + after.actions.length), `${startReads} operation and activity reads`);
});

Fleet('progress on a terminal is redrawn in place on stderr and cleared; stdout holds only the plan', async () => {
  const out: string[] = [];
  const err: string[] = [];
  const stderr = Object.assign(new Writable({ write: (c, _e, done) => void (err.push(String(c)), done()) }), { isTTY: true, columns: 100 });
  const io: CommandIO = { stdout: new Writable({ write: (c, _e, done) => void (out.push(String(c)), done()) }), stderr, stdin: process.stdin, env: {}, cwd: root, signal: new AbortController().signal };
  const code = await createPlanCommand({ parse: await parser() })(['examples', '--at', at, '--format', 'json', ...flags()], io);
  assert.is(code, 0, err.join(''));
  const text = err.join('');
  assert.match(text, '\r\x1b[2Kfirmwarden plan: reading device software, 120/120');
  assert.ok(text.endsWith('\r\x1b[2K'), 'the line is cleared at the end');
  assert.not.match(out.join(''), 'reading device software');
  JSON.parse(out.join(''));
});

Fleet('without a terminal a short read prints nothing on stderr', async () => {
  const r = await runCommand(createPlanCommand({ parse: await parser() }), ['examples', '--at', at, '--format', 'json', ...flags()], root, {});
  assert.is(r.code, 0);
  assert.is(r.stderr, '');
});

Fleet.run();
