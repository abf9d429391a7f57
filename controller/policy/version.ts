// Software versions as the device API reports them: numeric parts separated by '.', '/', '-'
// or '_' (1.14.2, 5.3.88.0, 1449/1.0.96.2024060302). Only such versions can be ordered, and
// firmwarden never starts an update it cannot prove is not a downgrade.

export type ParsedVersion = readonly number[];

const comparable = /^[0-9]+([._/-][0-9]+)*$/;

// Parsed forms by text (null: not comparable). A plan parses the same few versions again and
// again (calendar sorts, every decision), and each parse allocated a split array and a number
// array, megabytes a plan. Shared between callers, so frozen; cleared when it grows past the limit.
const parsedByText = new Map<string, ParsedVersion | null>();
const parsedLimit = 4096;

/** The numeric parts of a version, or undefined when it cannot be compared. */
export function parseVersion(text: string): ParsedVersion | undefined {
  const known = parsedByText.get(text);
  if (known !== undefined) return known ?? undefined;
  const trimmed = text.trim();
  const parsed = !comparable.test(trimmed) || trimmed.length > 128 ? undefined : Object.freeze(trimmed.split(/[._/-]/).map(Number));
  if (parsedByText.size >= parsedLimit) parsedByText.clear();
  parsedByText.set(text, parsed ?? null);
  return parsed;
}

/** True when the text is a version firmwarden can order. */
export function isComparableVersion(text: string): boolean {
  return parseVersion(text) !== undefined;
}

/** Orders two parsed versions; missing parts count as 0 (1.2 equals 1.2.0). */
export function compareParsed(a: ParsedVersion, b: ParsedVersion): number {
  const n = Math.max(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const d = (a[i] ?? 0) - (b[i] ?? 0);
    if (d !== 0) return d < 0 ? -1 : 1;
  }
  return 0;
}

/** -1, 0 or 1; undefined when either side cannot be compared. */
export function compareVersions(a: string, b: string): -1 | 0 | 1 | undefined {
  const pa = parseVersion(a);
  const pb = parseVersion(b);
  if (!pa || !pb) return undefined;
  return compareParsed(pa, pb) as -1 | 0 | 1;
}
