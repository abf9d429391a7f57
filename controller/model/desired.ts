// The desired state as the reconcile loop and the engine see it once a source's files are parsed:
// the manifests (valid or not, each named `namespace/Kind/name` and located by file and
// document), the findings about them, and the holidays read from the .ics files they reference.
// Types only; the manifest loader (manifest/parse-manifests.ts) produces them.

/** One holiday on one calendar day. */
export interface HolidayDay {
  /** Days since 1970-01-01 of the local date (zoned-time's dayNumber). */
  readonly day: number;
  readonly name: string;
  /** Where it was written: the .ics path as referenced, or the manifest that lists it. */
  readonly source: string;
}

/** A manifest as the reconcile sees it (the loader's LoadedManifest fits). */
export interface ManifestEntry {
  readonly key: string;
  readonly kind: string;
  readonly file: string;
  readonly docIndex: number;
  readonly valid: boolean;
  readonly manifest: unknown;
  /** Holidays read from the .ics files a DeviceGroup or UpdatePolicy references (the manifest loader reads them). */
  readonly holidayDays?: readonly HolidayDay[];
}

/** Every manifest of a snapshot, parsed, with the findings about them (of type F). */
export interface ParsedDesired<M extends ManifestEntry = ManifestEntry, F = unknown> {
  readonly manifests: readonly M[];
  readonly findings: readonly F[];
}
