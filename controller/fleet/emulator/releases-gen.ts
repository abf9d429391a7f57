// Generated release history: for every model and software type it supports, a handful of
// versions released over the ~6 months before the fleet's epoch, oldest first. Streams that
// are the same software everywhere (the Teams app, the admin agent, Company Portal, Windows)
// are generated once per platform so every model of that platform shows the same versions.
import type { SoftwareType } from '../../model/fleet.ts';
import { models, platformSoftware, type ModelSpec, type Platform } from './catalog.ts';
import { createRandom, mix, randomInt, type Random } from './prng.ts';

export const dayMs = 86_400_000;

/** One released version of one software type for one model. */
export interface Release {
  readonly version: string;
  /** When it became (or becomes) available, ms since the epoch. */
  readonly releasedAt: number;
  /** Verified by Microsoft: only verified versions are offered as availableVersion. */
  readonly verified: boolean;
}

/** Releases of one model, per software type, ascending by version (and date). */
export type ModelReleases = Partial<Record<SoftwareType, readonly Release[]>>;

const streamSalt: Record<SoftwareType, number> = {
  adminAgent: 11, operatingSystem: 12, teamsClient: 13, firmware: 14, partnerAgent: 15, companyPortal: 16,
};
const platformSalt: Record<Platform, number> = { android: 1, windows: 2, sip: 3 };

/** True for the software types whose versions are shared by every model of a platform. */
function isSharedStream(platform: Platform, type: SoftwareType): boolean {
  if (type === 'teamsClient' || type === 'adminAgent' || type === 'companyPortal') return true;
  return type === 'operatingSystem' && platform === 'windows';
}

function dateParts(ms: number): [number, number, number] {
  const d = new Date(ms);
  return [d.getUTCFullYear(), d.getUTCMonth() + 1, d.getUTCDate()];
}

/** Release instants spread from ~6 months before `epoch` to a few days before it, at 00:00 UTC. */
function releaseDates(random: Random, count: number, epoch: number): number[] {
  const first = epoch - randomInt(random, 170, 190) * dayMs;
  const last = epoch - randomInt(random, 1, 20) * dayMs;
  const gap = (last - first) / Math.max(1, count - 1);
  const dates: number[] = [];
  for (let k = 0; k < count; k++) {
    const jitter = k === 0 || k === count - 1 ? 0 : (random() - 0.5) * gap * 0.4;
    dates.push(Math.floor((first + k * gap + jitter) / dayMs) * dayMs);
  }
  return dates;
}

/** Makes `count` ascending version strings in the style of the software type. */
function makeVersions(random: Random, platform: Platform, type: SoftwareType, spec: ModelSpec, dates: readonly number[]): string[] {
  const count = dates.length;
  const out: string[] = [];
  const start = randomInt(random, 0, 5);
  let minor = randomInt(random, 10, 20);
  let patch = randomInt(random, 0, 5);
  let build = randomInt(random, 100, 300);
  for (let k = 0; k < count; k++) {
    const n = start + k;
    const [y, mo, d] = dateParts(dates[k] ?? 0);
    if (k > 0) {
      if (random() < 0.35) { minor += 1; patch = 0; } else patch += randomInt(random, 1, 3);
      build += randomInt(random, 1, 6);
    }
    switch (type) {
      case 'firmware': out.push(`${spec.firmwareMajor}.${minor}.${patch}`); break;
      case 'partnerAgent': out.push(`1.${minor - 5}.${patch}`); break;
      case 'operatingSystem':
        out.push(platform === 'windows' ? `10.0.${n < 3 ? 22621 : 22631}.${3000 + n * 151}` : `${spec.osMajor}.0.${build}`);
        break;
      case 'teamsClient': {
        const code = `${y}${String(mo).padStart(2, '0')}${String(d).padStart(2, '0')}${String(randomInt(random, 1, 9)).padStart(2, '0')}`;
        out.push(platform === 'windows' ? `5.${2 + Math.floor(n / 3)}.${60 + n * 11}.0` : `1449/1.0.${90 + n}.${code}`);
        break;
      }
      case 'adminAgent': out.push(`${y}.${mo}.${d}.${randomInt(random, 1, 9)}`); break;
      case 'companyPortal': out.push(`5.0.${6000 + n * 37}.0`); break;
    }
  }
  return out;
}

function generateStream(seed: number, epoch: number, platform: Platform, type: SoftwareType, spec: ModelSpec, key: number): Release[] {
  const random = createRandom(mix(seed, platformSalt[platform], streamSalt[type], key));
  const count = type === 'teamsClient' ? 6 : randomInt(random, 4, type === 'firmware' ? 7 : 6);
  const dates = releaseDates(random, count, epoch);
  const versions = makeVersions(random, platform, type, spec, dates);
  return versions.map((version, k) => ({
    version,
    releasedAt: dates[k] ?? epoch,
    // Only firmware has unverified releases; the first and the next-to-last are always
    // verified so every model has something to start on and something to move to.
    verified: type !== 'firmware' || k === 0 || k === count - 2 || random() < 0.85,
  }));
}

/** The generated release history of every model (indexed like `models`), from the seed and epoch. */
export function generateReleases(seed: number, epoch: number): ModelReleases[] {
  const shared = new Map<string, Release[]>();
  return models.map((spec, modelIndex) => {
    const releases: ModelReleases = {};
    for (const type of platformSoftware[spec.platform]) {
      if (isSharedStream(spec.platform, type)) {
        const key = `${spec.platform}:${type}`;
        let stream = shared.get(key);
        if (!stream) {
          stream = generateStream(seed, epoch, spec.platform, type, spec, 0);
          shared.set(key, stream);
        }
        releases[type] = stream;
      } else {
        releases[type] = generateStream(seed, epoch, spec.platform, type, spec, modelIndex + 1);
      }
    }
    return releases;
  });
}
