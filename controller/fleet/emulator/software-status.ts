// What the health document says about one software type of one device: pure, from the
// installed version, the model's releases and the emulator's `now`.
import type { SoftwareFreshness, SoftwareType } from '../../model/fleet.ts';
import { compareVersions } from '../../policy/version.ts';
import type { OperationError } from './operations.ts';
import type { Release } from './releases-gen.ts';

/** The wire shape of teamworkSoftwareUpdateStatus. */
export interface SoftwareStatus {
  readonly softwareFreshness: SoftwareFreshness;
  readonly currentVersion: string | null;
  readonly availableVersion: string | null;
}

/** True when `a` is strictly newer than `b` (versions that cannot be compared never are). */
export function isNewer(a: string, b: string): boolean {
  return compareVersions(a, b) === 1;
}

/** The newest verified version released by `now` that is newer than `current`, if any. */
export function findAvailableVersion(current: string, releases: readonly Release[], now: number): string | null {
  let best: string | null = null;
  for (const release of releases) {
    if (!release.verified || release.releasedAt > now || !isNewer(release.version, current)) continue;
    if (best === null || isNewer(release.version, best)) best = release.version;
  }
  return best;
}

/**
 * Freshness is `unknown` when the installed version is not one Microsoft verified for the
 * model (the device still gets an availableVersion: a manual update can move it on).
 */
export function computeSoftwareStatus(current: string | undefined, releases: readonly Release[], now: number): SoftwareStatus {
  if (current === undefined) return { softwareFreshness: 'unknown', currentVersion: null, availableVersion: null };
  const known = releases.some((r) => r.verified && r.version === current);
  const availableVersion = findAvailableVersion(current, releases, now);
  const softwareFreshness: SoftwareFreshness = !known ? 'unknown' : availableVersion ? 'updateAvailable' : 'latest';
  return { softwareFreshness, currentVersion: current, availableVersion };
}

/** Why an update to `target` cannot start (the operation then fails on pickup), or undefined when it can. */
export function checkUpdateTarget(
  type: SoftwareType, model: string, current: string | null, target: string | null, releases: readonly Release[], now: number,
): OperationError | undefined {
  if (target === null) return { code: 'NoUpdateAvailable', message: `No newer verified ${type} version is available for this device.` };
  const release = releases.find((r) => compareVersions(r.version, target) === 0);
  if (!release) return { code: 'VersionNotFound', message: `Version ${target} of ${type} does not exist for model ${model}.` };
  if (release.releasedAt > now) return { code: 'VersionNotReleased', message: `Version ${target} of ${type} is not released before ${new Date(release.releasedAt).toISOString()}.` };
  if (current === null) return undefined;
  const order = compareVersions(target, current);
  if (order === 0) return { code: 'VersionAlreadyInstalled', message: `Version ${target} of ${type} is already installed.` };
  if (order !== 1) return { code: 'DowngradeNotAllowed', message: `Version ${target} is not newer than the installed ${current}; going back needs a factory reset.` };
  return undefined;
}
