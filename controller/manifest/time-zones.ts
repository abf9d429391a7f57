// Which time-zone names the runtime knows. Intl lists canonical IANA names; links and aliases
// (Etc/UTC, UTC, Asia/Calcutta…) are not listed but accepted by DateTimeFormat, so both count.
import { suggest } from './suggest.ts';

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
    // Offsets ("+01:00") are accepted by DateTimeFormat but are not IANA names.
    ok = /^[A-Za-z]/.test(name) && tryZone(name);
    accepted.set(name, ok);
  }
  return ok;
}

function tryZone(name: string): boolean {
  try {
    new Intl.DateTimeFormat('en', { timeZone: name });
    return true;
  } catch {
    return false;
  }
}

const suggestions = new Map<string, string | undefined>();

/** The known zone `name` was probably meant to be. */
export function suggestTimeZone(name: string): string | undefined {
  if (!suggestions.has(name)) suggestions.set(name, findSuggestion(name));
  return suggestions.get(name);
}

function findSuggestion(name: string): string | undefined {
  const zones = canonicalZones();
  const guess = suggest(name, zones);
  if (guess) return guess;
  // "Paris" → "Europe/Paris": compare with the city part only.
  const city = name.toLowerCase().replace(/ /g, '_');
  for (const zone of zones) if (zone.toLowerCase().endsWith(`/${city}`)) return zone;
  return undefined;
}
