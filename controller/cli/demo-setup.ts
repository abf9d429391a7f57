// What `firmwarden demo` sets up before the controller starts: the Git config repo made from
// examples/, the emulated fleet with the releases the story needs, and a state file that
// remembers the fleet's release history as a controller watching it for months would.
import { cp, mkdir, readdir } from 'node:fs/promises';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { join } from 'node:path';
import type { Logger } from '../log/logger.ts';
import type { Clock } from '../model/clock.ts';
import { emptyState } from '../model/state.ts';
import { parseFleetOptions } from '../config/fleet-options.ts';
import { createFleet, type FleetConnection } from '../config/fleet-connection.ts';
import { FileStateStore } from '../state/file-state-store.ts';

const run = promisify(execFile);
const examplesDir = new URL('../../examples/', import.meta.url).pathname;

/** The demo's simulated start: a Friday, so the weekend windows open soon. */
export const demoStart = Date.parse('2027-01-08T12:00:00Z');

/** Runs git in `cwd`, never prompting; its stdout. */
export async function git(cwd: string, ...args: string[]): Promise<string> {
  const { stdout } = await run('git', args, { cwd, env: { ...process.env, GIT_TERMINAL_PROMPT: '0' } });
  return stdout;
}

/** Creates the demo's config repo from examples/ (without the deployment manifests). */
export async function createDemoRepo(dir: string): Promise<void> {
  await mkdir(dir, { recursive: true });
  for (const entry of await readdir(examplesDir, { withFileTypes: true })) {
    if (entry.name === 'deploy' || entry.name === 'deploy-overlays') continue;
    await cp(join(examplesDir, entry.name), join(dir, entry.name), { recursive: true });
  }
  await git(dir, 'init', '-q', '-b', 'main');
  await git(dir, 'config', 'user.name', 'Fleet Admin');
  await git(dir, 'config', 'user.email', 'fleet-admin@example.com');
  // The controller pushes its status commits here; update the checked-out files with them.
  await git(dir, 'config', 'receive.denyCurrentBranch', 'updateInstead');
  await git(dir, 'add', '-A');
  await git(dir, 'commit', '-q', '-m', 'Fleet configuration from the firmwarden examples');
}

/** Next version after `version`: its last number plus one. */
function bump(version: string): string {
  return version.replace(/(\d+)(\D*)$/, (_, n: string, tail: string) => `${Number(n) + 1}${tail}`);
}

/**
 * Starts the emulated fleet of `devices` (seeded) with a firmware release on the first morning
 * and a Teams app two days in, and saves at `statePath` the release history the controller is
 * taken to have watched.
 */
export async function startDemoFleet(
  options: { readonly devices: number; readonly seed: string | number; readonly failureRate?: number | undefined; readonly statePath: string },
  deps: { readonly logger: Logger; readonly clock: Clock },
): Promise<FleetConnection> {
  const { logger, clock } = deps;
  const { options: fleetOptions } = parseFleetOptions(['--emulator', '--fleet-rate', '10000'], {});
  const connection = await createFleet(fleetOptions, {
    logger,
    clock,
    emulator: { devices: options.devices, seed: options.seed, rateLimit: 0, epoch: demoStart, logger, ...(options.failureRate !== undefined ? { failureRate: options.failureRate } : {}) },
  });
  const control = connection.emulator!.control;
  // A firmware release on the first morning: the lab (Test phase) takes it at once, the rest
  // of the fleet only after its phase's delay.
  const model = control.devices({ limit: 200 }).find((d) => d.software.firmware && !d.unknownFirmware)?.model;
  const lastFirmware = model ? control.releases({ model, softwareType: 'firmware' }).at(-1) : undefined;
  if (model && lastFirmware) {
    control.releaseVersion({ model, softwareType: 'firmware', version: bump(lastFirmware.version), releasedAt: demoStart + 18 * 3_600_000 });
  }
  // A new Teams app two days in: the lab takes it at once, New York gets it from the
  // ScheduledUpdate of 16 January, everyone else 15 days after its release (General).
  const teamsModels = new Set(control.releases({ softwareType: 'teamsClient' }).map((r) => r.model));
  for (const m of teamsModels) {
    const last = control.releases({ model: m, softwareType: 'teamsClient' }).at(-1);
    if (last) control.releaseVersion({ model: m, softwareType: 'teamsClient', version: bump(last.version), releasedAt: demoStart + 2 * 86_400_000 });
  }

  // The demo's controller plays one that has watched this fleet for months: it knows when each
  // version it would have seen came out (a real one learns that only by watching, from its
  // first day; see the release calendar in the README).
  const history = control
    .releases()
    .filter((r) => r.verified && r.releasedAt <= demoStart)
    .map((r) => ({ model: r.model, softwareType: r.softwareType, version: r.version, firstSeen: r.releasedAt }));
  await new FileStateStore(options.statePath).save({ ...emptyState, releases: history });
  return connection;
}
