// Which time-zone names the runtime knows. Intl lists canonical IANA names; links and aliases
// (Etc/UTC, UTC, Asia/Calcutta…) are not listed but accepted by Temporal, so both count.
import { isValidTimeZone } from '../policy/zoned-time.ts';
import type { NameIndex, SuggestBudget } from './suggest.ts';
import { createSuggestBudget, indexNames, suggestName } from './suggest.ts';

let canonical: Set<string> | undefined;
const accepted = new Map<string, boolean>();

function canonicalZones(): Set<string> {
  canonical ??= new Set(Intl.supportedValuesOf('timeZone'));
  return canonical;
}

/** True when `name` is an IANA time zone (or alias) the runtime can compute with. */
export function isTimeZone(name: string): boolean {
  if (canonicalZones().has(name)) return true;
  let ok = accepted.get(name);
  if (ok === undefined) {
    // Offsets ("+01:00") are accepted by Temporal but are not IANA names.
    ok = /^[A-Za-z]/.test(name) && isValidTimeZone(name);
    accepted.set(name, ok);
  }
  return ok;
}

let zoneIndex: NameIndex | undefined;
let zoneByCity: Map<string, string> | undefined;

/**
 * The known zone `name` was probably meant to be, spending `budget` (a parse passes its own, so
 * thousands of misspelt zones cost no more than the budget; no cache, which would grow with
 * every name ever seen in a long-running controller). Default: an unlimited budget.
 */
export function suggestTimeZone(name: string, budget: SuggestBudget = createSuggestBudget({ perLookup: Infinity, cells: Infinity })): string | undefined {
  zoneIndex ??= indexNames(canonicalZones());
  const guess = suggestName(zoneIndex, name, budget);
  if (guess) return guess;
  // "Paris" → "Europe/Paris", "Indiana/Indianapolis" → "America/Indiana/Indianapolis": the
  // city part alone, looked up (the first zone in the runtime's order wins).
  if (!zoneByCity) {
    zoneByCity = new Map();
    for (const zone of canonicalZones()) {
      const lower = zone.toLowerCase();
      for (let at = lower.indexOf('/'); at >= 0; at = lower.indexOf('/', at + 1)) {
        const city = lower.slice(at + 1);
        if (!zoneByCity.has(city)) zoneByCity.set(city, zone);
      }
    }
  }
  return zoneByCity.get(name.toLowerCase().replace(/ /g, '_'));
}
