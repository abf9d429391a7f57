// Matching devices against a DeviceSelector: every field given must match (AND), any entry of
// a list may match (OR). Tags are '#word' tokens in the device notes, compared without case;
// asset tags are globs with '*'; manufacturers and models compare without case.
import type { Device } from '../model/fleet.ts';
import type { DeviceSelector } from '../model/manifests.generated.ts';

const tagPattern = /(?:^|[^A-Za-z0-9_&#])#([A-Za-z0-9][A-Za-z0-9_.:/-]*)/g;

/** The '#tags' of a device's notes, lower-case, without '#', trailing punctuation dropped, sorted and unique. */
export function parseTags(notes: string | null): string[] {
  if (!notes || !notes.includes('#')) return [];
  const found = new Set<string>();
  for (const m of notes.matchAll(tagPattern)) {
    // "#vip." at the end of a sentence means the tag vip.
    const tag = (m[1] ?? '').replace(/[.:/-]+$/, '').toLowerCase();
    if (tag) found.add(tag);
  }
  return [...found].sort();
}

const globCache = new Map<string, RegExp>();

/** A case-insensitive matcher for a glob where '*' is any run of characters. */
export function globToRegExp(glob: string): RegExp {
  let re = globCache.get(glob);
  if (!re) {
    const body = glob.split('*').map((part) => part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('.*');
    re = new RegExp(`^${body}$`, 'i');
    globCache.set(glob, re);
  }
  return re;
}

/** What a selector looks at, computed once per device. */
export interface DeviceFacts {
  readonly device: Device;
  /** Lower-case tags from the notes. */
  readonly tags: ReadonlySet<string>;
  readonly manufacturer: string;
  readonly model: string;
}

/** Precomputes a device's facts. */
export function factsOf(device: Device): DeviceFacts {
  return {
    device,
    tags: new Set(parseTags(device.notes)),
    manufacturer: device.manufacturer.toLowerCase(),
    model: device.model.toLowerCase(),
  };
}

/** A selector with its lists lower-cased once. */
export interface CompiledSelector {
  readonly deviceTypes: ReadonlySet<string> | undefined;
  readonly manufacturers: ReadonlySet<string> | undefined;
  readonly models: ReadonlySet<string> | undefined;
  readonly tags: readonly string[] | undefined;
  readonly anyTags: readonly string[] | undefined;
  readonly excludeTags: readonly string[] | undefined;
  readonly assetTags: readonly RegExp[] | undefined;
  readonly healthStatuses: ReadonlySet<string> | undefined;
}

const lower = (list: readonly string[] | undefined) => list?.map((s) => s.toLowerCase());
const setOf = (list: readonly string[] | undefined) => (list ? new Set(list) : undefined);

/** Lower-cases a selector's lists once. */
export function compileSelector(selector: DeviceSelector): CompiledSelector {
  return {
    deviceTypes: setOf(selector.deviceTypes),
    manufacturers: setOf(lower(selector.manufacturers)),
    models: setOf(lower(selector.models)),
    tags: lower(selector.tags),
    anyTags: lower(selector.anyTags),
    excludeTags: lower(selector.excludeTags),
    assetTags: selector.assetTags?.map(globToRegExp),
    healthStatuses: setOf(selector.healthStatuses),
  };
}

/** True when the device matches every field of the selector. */
export function matchesSelector(selector: CompiledSelector, facts: DeviceFacts): boolean {
  const d = facts.device;
  if (selector.deviceTypes && !selector.deviceTypes.has(d.deviceType)) return false;
  if (selector.healthStatuses && !selector.healthStatuses.has(d.healthStatus)) return false;
  if (selector.manufacturers && !selector.manufacturers.has(facts.manufacturer)) return false;
  if (selector.models && !selector.models.has(facts.model)) return false;
  if (selector.tags) for (const t of selector.tags) if (!facts.tags.has(t)) return false;
  if (selector.anyTags && !selector.anyTags.some((t) => facts.tags.has(t))) return false;
  if (selector.excludeTags) for (const t of selector.excludeTags) if (facts.tags.has(t)) return false;
  if (selector.assetTags) {
    const tag = d.companyAssetTag;
    if (tag === null || !selector.assetTags.some((re) => re.test(tag))) return false;
  }
  return true;
}
