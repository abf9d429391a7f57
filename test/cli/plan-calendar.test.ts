// plan reads the release calendar the controller commits beside the manifests
// (.firmwarden/releases.json), in the folder given or a parent, so a preview of a config repo
// knows the release dates without the controller's state file.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { createPlanCommand } from '../../controller/cli/plan.ts';
import { renderCalendarFile } from '../../controller/state/calendar-file.ts';
import type { SoftwareType } from '../../controller/model/fleet.ts';
import { deps, examplesWith, runCommand } from './plan-harness.ts';

const at = '2026-11-21T12:00:00Z';

interface PlanJson {
  devices: { model: string; group?: string; software: { softwareType: string; desiredVersion?: string }[] }[];
  actions: { group: string; softwareType: string }[];
}

test('release dates from .firmwarden/releases.json: versions first seen 40 days ago are due under General, from the repo or one of its folders', async () => {
  const dir = await examplesWith({});
  try {
    const fresh = await runCommand(createPlanCommand(await deps()), [dir, '--at', at, '--format', 'json']);
    assert.is(fresh.code, 0, fresh.stderr);
    const json = JSON.parse(fresh.stdout) as PlanJson;
    assert.not.ok(json.actions.some((a) => a.group === 'default/general-paris' && a.softwareType === 'firmware'), 'without dates, General waits 30 days');
    const releases = new Map<string, { model: string; softwareType: SoftwareType; version: string; firstSeen: number }>();
    for (const d of json.devices) {
      if (d.group !== 'default/general-paris') continue;
      for (const e of d.software) {
        if (e.softwareType === 'firmware' && e.desiredVersion) releases.set(`${d.model}|${e.desiredVersion}`, { model: d.model, softwareType: 'firmware', version: e.desiredVersion, firstSeen: Date.parse(at) - 40 * 86_400_000 });
      }
    }
    assert.ok(releases.size > 0, 'general-paris has firmware to install');
    await mkdir(join(dir, '.firmwarden'));
    await writeFile(join(dir, '.firmwarden/releases.json'), renderCalendarFile({ releases: [...releases.values()], rollouts: {} }));

    for (const path of [dir, join(dir, 'groups'), join(dir, 'policies/general.yaml')]) {
      const r = await runCommand(createPlanCommand(await deps()), [path, join(dir, 'policies'), join(dir, 'groups'), '--at', at, '--format', 'json']);
      assert.is(r.code, 0, r.stderr);
      const later = JSON.parse(r.stdout) as PlanJson;
      assert.ok(later.actions.some((a) => a.group === 'default/general-paris' && a.softwareType === 'firmware'), `${path}: the canary wave starts now inside the weekend window`);
    }
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('a calendar file that does not read is named on stderr with what to do; the plan goes on without it', async () => {
  const dir = await examplesWith({});
  try {
    await mkdir(join(dir, '.firmwarden'));
    await writeFile(join(dir, '.firmwarden/releases.json'), '{"releases": [');
    const r = await runCommand(createPlanCommand(await deps()), [dir, '--at', at, '--format', 'json']);
    assert.is(r.code, 0, r.stderr);
    assert.match(r.stderr, /firmwarden plan: .*\.firmwarden\/releases\.json is not valid JSON .*delete it/);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test.run();
