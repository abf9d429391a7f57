import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { createPlanCommand } from '../../controller/cli/plan.ts';
import { main } from '../../controller/main.ts';
import { deps, examplesWith, root, runCommand, scheduledUpdateYaml } from './plan-harness.ts';

// A Saturday: the weekend windows of the general policy are open in Paris and New York.
const at = '2026-11-21T12:00:00Z';

const Plan = suite('firmwarden plan against the emulator with examples/');
let json: {
  groups: { name: string; policy: string; phase: string; devices: number }[];
  devices: { deviceId: string; name: string; model: string; group?: string; software: { softwareType: string; state: string; desiredVersion?: string; currentVersion: string | null }[] }[];
  actions: unknown[];
  conflicts: { deviceId: string; chosen: string }[];
};

Plan('json: every example group, with its policy and phase', async () => {
  const r = await runCommand(createPlanCommand(await deps()), ['examples', '--at', at, '--format', 'json']);
  assert.is(r.code, 0, r.stderr);
  json = JSON.parse(r.stdout);
  assert.equal(json.groups.map((g) => [g.name, g.policy, g.phase]), [
    ['basic-rooms', 'general', 'General (Basic)'],
    ['general-nyc', 'general', 'General'],
    ['general-paris', 'general', 'General'],
    ['lab', 'lab', 'Test'],
    ['vip-rooms', 'vip', 'Final'],
  ]);
  assert.ok(json.devices.length > 50);
  assert.ok(json.conflicts.some((c) => c.chosen === 'default/lab'), 'lab devices at a site are claimed by lab');
  // Release dates are unknown on a first run: every version counts as released now, so only the Test phase is due.
  const due = json.devices.flatMap((d) => d.software.filter((e) => e.state === 'pending' || e.state === 'scheduled').map((e) => ({ d, e })));
  assert.ok(due.length > 0);
});

Plan('text: the group summary, the devices that change with local times, and conflicts', async () => {
  const r = await runCommand(createPlanCommand(await deps()), ['examples', '--at', at, '--limit', '500']);
  assert.is(r.code, 0, r.stderr);
  assert.match(r.stdout, /^firmwarden plan at 2026-11-21 12:00 UTC: 5 groups, 3 policies, 1 scheduled update/);
  assert.match(r.stdout, /\n  lab +lab +Test +\d+/);
  assert.match(r.stdout, /Devices that change \(\d+\)/);
  assert.match(r.stdout, /Mon 2026-11-23 09:00 Europe\/Paris/, 'lab devices wait for lab hours, in Paris time');
  assert.match(r.stdout, /Teams app: General phase, installed 15 days after release/);
  assert.match(r.stdout, /Devices several groups select/);
});

Plan('markdown: a PR comment with the summary table and the changes', async () => {
  const r = await runCommand(createPlanCommand(await deps()), ['examples', '--at', at, '--format', 'markdown']);
  assert.is(r.code, 0, r.stderr);
  assert.match(r.stdout, /^### firmwarden plan\n/);
  assert.match(r.stdout, /\| Group \| Policy \| Phase \| Devices \|/);
  assert.match(r.stdout, /\| lab \| lab \| Test \|/);
  assert.match(r.stdout, /#### Devices that change \(\d+\)/);
});

Plan('release dates from a state file: versions seen 40 days ago are due under General', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'fw-plan-'));
  try {
    const first = new Map<string, { model: string; softwareType: string; version: string }>();
    for (const d of json.devices) {
      if (d.group !== 'default/general-paris') continue;
      for (const e of d.software) if (e.softwareType === 'firmware' && e.desiredVersion) first.set(`${d.model}|${e.desiredVersion}`, { model: d.model, softwareType: 'firmware', version: e.desiredVersion });
    }
    assert.ok(first.size > 0, 'general-paris has firmware to install');
    const firstSeen = Date.parse(at) - 40 * 86_400_000;
    const state = { version: 1, releases: [...first.values()].map((r) => ({ ...r, firstSeen })), ledger: [], rollouts: {} };
    await writeFile(join(dir, 'state.json'), JSON.stringify(state));
    const r = await runCommand(createPlanCommand(await deps()), ['examples', '--at', at, '--format', 'json', '--state', join(dir, 'state.json')]);
    assert.is(r.code, 0, r.stderr);
    const later = JSON.parse(r.stdout) as { actions: { group: string; softwareType: string }[] };
    assert.ok(later.actions.some((a) => a.group === 'default/general-paris' && a.softwareType === 'firmware'), 'the canary wave starts now inside the weekend window');
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

Plan('--forecast lists what each device gets and when', async () => {
  const r = await runCommand(createPlanCommand(await deps()), ['examples', '--at', at, '--forecast', '10', '--limit', '500']);
  assert.is(r.code, 0, r.stderr);
  assert.match(r.stdout, /Forecast for the next 10 days \(assuming every update succeeds and no new version is released\)/);
  assert.match(r.stdout, /\n    Mon 2026-11-23 09:00 Europe\/Paris  (firmware|Teams app) .* → .*Test phase/);
});

Plan('invalid manifests: findings printed with file:line:col, only valid ones planned, exit 1', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'fw-plan-'));
  try {
    await cp(join(root, 'examples/groups'), join(dir, 'groups'), { recursive: true });
    await cp(join(root, 'examples/policies'), join(dir, 'policies'), { recursive: true });
    const vip = await readFile(join(dir, 'policies/vip.yaml'), 'utf8');
    await writeFile(join(dir, 'policies/vip.yaml'), vip.replace('maxConcurrent: 5', 'maxConcurrent: 0'));
    const r = await runCommand(createPlanCommand(await deps()), [dir, '--at', at]);
    assert.is(r.code, 1, r.stderr);
    assert.match(r.stdout, /Invalid manifests, left out of the plan:\n  .*policies\/vip\.yaml:\d+:\d+ .*maxConcurrent/);
    assert.match(r.stdout, /vip-rooms +vip \(missing\)/);
    assert.match(r.stdout, /\n  lab +lab +Test/, 'the valid manifests are still planned');
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

Plan('ScheduledUpdate requests refused beside automatic updates: in the headline and a section of text and Markdown, and in JSON', async () => {
  // Two devices whose policy plans a firmware update of its own, both asked for a downgrade
  // (lint rejects a target version that cannot be ordered; the plan tests cover the other refusals).
  const [a, b] = json.devices.filter((d) => d.software.some((e) => e.softwareType === 'firmware' && (e.state === 'scheduled' || e.state === 'pending')));
  assert.ok(a && b, 'two devices with an automatic firmware update planned');
  const dir = await examplesWith({ 'schedules/rollback.yaml': scheduledUpdateYaml('rollback', [a.name, b.name], 'firmware', '1.0') });
  try {
    const md = await runCommand(createPlanCommand(await deps()), [dir, '--at', at, '--format', 'markdown']);
    assert.is(md.code, 0, md.stderr);
    assert.match(md.stdout, /2 ScheduledUpdate requests REFUSED/);
    // Outside the folded details: whoever reviews the pull request sees it.
    const section = md.stdout.slice(md.stdout.indexOf('#### ⛔ ScheduledUpdate requests refused (2)'));
    assert.ok(section.length > 0 && !section.startsWith('<details>'));
    assert.match(section, new RegExp(`\\| ${a.name} \\| firmware \\| rollback \\| [^|]+ → 1\\.0 \\| Downgrade \\| 1\\.0 is older than the installed `));
    assert.match(section, new RegExp(`\\| ${b.name} \\| firmware \\| rollback \\| [^|]+ → 1\\.0 \\| Downgrade \\|`));
    const text = await runCommand(createPlanCommand(await deps()), [dir, '--at', at]);
    assert.match(text.stdout, /\nScheduledUpdate requests refused \(2\): nothing starts for them/);
    assert.match(text.stdout, new RegExp(`\\n  ${a.name} +\\S+ +firmware +rollback +\\S+ → 1\\.0 +Downgrade `));
    const out = JSON.parse((await runCommand(createPlanCommand(await deps()), [dir, '--at', at, '--format', 'json'])).stdout) as { refusals: { name: string; scheduledUpdate: string; version: string; reason: { code: string } }[] };
    assert.equal(out.refusals.map((r) => [r.name, r.scheduledUpdate, r.version, r.reason.code]).sort(), [[a.name, 'default/rollback', '1.0', 'Downgrade'], [b.name, 'default/rollback', '1.0', 'Downgrade']].sort());
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

Plan('usage errors exit 2 with one line', async () => {
  const err: string[] = [];
  const stderr = new Writable({ write(c, _e, d) { err.push(String(c)); d(); } });
  const stdout = new Writable({ write(_c, _e, d) { d(); } });
  const io = { stdout, stderr, env: {}, cwd: root, signal: new AbortController().signal };
  assert.is(await main(['plan'], io), 2);
  assert.is(await main(['plan', 'examples', '--format', 'yaml'], io), 2);
  assert.is(await main(['plan', 'examples', '--at', '2026-11-21 12:00'], io), 2);
  assert.is(await main(['plan', 'examples', '--forecast', '-3'], io), 2);
  assert.match(err.join(''), /give at least one PATH/);
  assert.match(err.join(''), /--at: "2026-11-21 12:00" is not an instant with an offset/);
});

Plan.run();
