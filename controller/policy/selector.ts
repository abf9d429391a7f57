// Matching devices against a DeviceSelector: every field given must match (AND), any entry of
// a list may match (OR). Tags are '#word' tokens in the device notes, compared without case;
// asset tags are globs with '*'; manufacturers and models compare without case.
import type { Device } from '../model/fleet.ts';
import type { DeviceSelector } from '../model/manifests.generated.ts';

const isTagStart = (c: number) => (c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122);
// Characters allowed inside a tag: letters, digits and _ . : / -
const isTagChar = (c: number) => isTagStart(c) || c === 95 || c === 46 || c === 58 || c === 47 || c === 45;
// A '#' right after one of these is part of a word (C#, issue#12, &#…), not a tag.
const isWordChar = (c: number) => isTagStart(c) || c === 95 || c === 38 || c === 35;

/** The '#tags' of a device's notes, lower-case, without '#', trailing punctuation dropped, sorted and unique. */
export function parseTags(notes: string | null): string[] {
  if (!notes) return [];
  let at = notes.indexOf('#');
  if (at < 0) return [];
  const found: string[] = [];
  // A hand-written scanner: it runs once per device of the fleet, a regular expression costs several times more.
  while (at >= 0) {
    const before = at > 0 ? notes.charCodeAt(at - 1) : 32;
    let end = at + 1;
    if (!isWordChar(before) && end < notes.length && isTagStart(notes.charCodeAt(end))) {
      while (end < notes.length && isTagChar(notes.charCodeAt(end))) end++;
      let last = end;
      // "#vip." at the end of a sentence means the tag vip.
      while (last > at + 1 && !isTagStart(notes.charCodeAt(last - 1)) && notes.charCodeAt(last - 1) !== 95) last--;
      const tag = notes.slice(at + 1, last).toLowerCase();
      // Kept sorted as found (a handful of tags): Array.prototype.sort copied every list, a third of a plan's allocation.
      let k = found.length;
      while (k > 0 && found[k - 1]! > tag) k--;
      if (k === 0 || found[k - 1] !== tag) {
        found.push(tag);
        for (let j = found.length - 1; j > k; j--) found[j] = found[j - 1]!;
        found[k] = tag;
      }
    }
    at = notes.indexOf('#', end);
  }
  return found;
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
  /** Lower-case tags from the notes, sorted (a handful: an array beats a Set here). */
  readonly tags: readonly string[];
  readonly manufacturer: string;
  readonly model: string;
}

/** Precomputes a device's facts; `intern` shares equal strings between devices. */
export function factsOf(device: Device, intern: (s: string) => string = (s) => s): DeviceFacts {
  return {
    device,
    tags: parseTags(device.notes).map(intern),
    manufacturer: intern(device.manufacturer.toLowerCase()),
    model: intern(device.model.toLowerCase()),
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

/** True when the selector looks at nothing but `tags` (all-of), so an index intersection is exact. */
export function isTagsOnly(selector: CompiledSelector): boolean {
  return selector.tags !== undefined && !selector.deviceTypes && !selector.manufacturers && !selector.models &&
    !selector.anyTags && !selector.excludeTags && !selector.assetTags && !selector.healthStatuses;
}

/** True when the device matches every field of the selector. */
export function matchesSelector(selector: CompiledSelector, facts: DeviceFacts): boolean {
  const d = facts.device;
  if (selector.deviceTypes && !selector.deviceTypes.has(d.deviceType)) return false;
  if (selector.healthStatuses && !selector.healthStatuses.has(d.healthStatus)) return false;
  if (selector.manufacturers && !selector.manufacturers.has(facts.manufacturer)) return false;
  if (selector.models && !selector.models.has(facts.model)) return false;
  if (selector.tags) for (const t of selector.tags) if (!facts.tags.includes(t)) return false;
  if (selector.anyTags && !selector.anyTags.some((t) => facts.tags.includes(t))) return false;
  if (selector.excludeTags) for (const t of selector.excludeTags) if (facts.tags.includes(t)) return false;
  if (selector.assetTags) {
    const tag = d.companyAssetTag;
    if (tag === null || !selector.assetTags.some((re) => re.test(tag))) return false;
  }
  return true;
}
