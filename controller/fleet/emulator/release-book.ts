// The releases of one emulated tenant: the generated history of its fleet spec plus the
// versions released later through control (kept apart so a state file stores only those).
import type { SoftwareType } from '../../model/fleet.ts';
import { SoftwareTypes } from '../../model/fleet.ts';
import { compareVersions, isComparableVersion } from '../../policy/version.ts';
import { findModelIndex, models, platformSoftware } from './catalog.ts';
import type { FleetSpec } from './fleet-gen.ts';
import { EmulatorInputError } from './input-error.ts';
import type { Release } from './releases-gen.ts';

export interface ReleaseInput {
  readonly model: string;
  readonly softwareType: string;
  readonly version: string;
  /** Default true. */
  readonly verified?: boolean;
  /** ms or ISO 8601; default: the emulator's now. */
  readonly releasedAt?: number | string;
}

export interface ReleaseInfo extends Release {
  readonly model: string;
  readonly manufacturer: string;
  readonly softwareType: SoftwareType;
  /** Added through control rather than generated. */
  readonly added: boolean;
}

/** A release added through control, as a state file keeps it. */
export interface PersistedRelease {
  readonly model: string;
  readonly softwareType: SoftwareType;
  readonly version: string;
  readonly releasedAt: number;
  readonly verified: boolean;
}

/** Parses ms since the epoch or an ISO 8601 date-time. */
export function parseInstant(value: number | string, what: string): number {
  const ms = typeof value === 'number' ? value : Date.parse(value);
  if (!Number.isFinite(ms)) throw new EmulatorInputError(`${what} must be ms since the epoch or an ISO 8601 date-time, got ${JSON.stringify(value)}`);
  return ms;
}

/** Generated plus added releases per model and software type. */
export class ReleaseBook {
  readonly #spec: FleetSpec;
  readonly #added = new Map<number, Partial<Record<SoftwareType, Release[]>>>();

  constructor(spec: FleetSpec) {
    this.#spec = spec;
  }

  /** Generated plus added releases of a model's software type, ascending by version. */
  releasesOf(modelIndex: number, type: SoftwareType): readonly Release[] {
    const generated = this.#spec.releases[modelIndex]?.[type] ?? [];
    const added = this.#added.get(modelIndex)?.[type];
    return added ? [...generated, ...added].sort((a, b) => compareVersions(a.version, b.version) ?? 0) : generated;
  }

  /** Releases a new version for a model (released at `now` unless the input says); throws EmulatorInputError on bad input. */
  add(input: ReleaseInput, now: number): ReleaseInfo {
    const modelIndex = findModelIndex(String(input.model ?? ''));
    if (modelIndex === undefined) throw new EmulatorInputError(`unknown model ${JSON.stringify(input.model)}; known: ${models.map((m) => m.model).join(', ')}`);
    const spec = models[modelIndex]!;
    const type = input.softwareType as SoftwareType;
    if (!platformSoftware[spec.platform].includes(type)) {
      throw new EmulatorInputError(`model ${spec.model} has no software type ${JSON.stringify(input.softwareType)}; it has: ${platformSoftware[spec.platform].join(', ') || 'none'}`);
    }
    if (typeof input.version !== 'string' || !isComparableVersion(input.version)) {
      throw new EmulatorInputError(`version must be dotted numbers (like 1.14.2), got ${JSON.stringify(input.version)}`);
    }
    if (this.releasesOf(modelIndex, type).some((r) => compareVersions(r.version, input.version) === 0)) {
      throw new EmulatorInputError(`model ${spec.model} already has ${type} version ${input.version}`);
    }
    const release: Release = {
      version: input.version.trim(),
      releasedAt: input.releasedAt === undefined ? now : parseInstant(input.releasedAt, 'releasedAt'),
      verified: input.verified ?? true,
    };
    this.#put(modelIndex, type, release);
    return { ...release, model: spec.model, manufacturer: spec.manufacturer, softwareType: type, added: true };
  }

  #put(modelIndex: number, type: SoftwareType, release: Release): void {
    const byType = this.#added.get(modelIndex) ?? {};
    byType[type] = [...(byType[type] ?? []), release];
    this.#added.set(modelIndex, byType);
  }

  /** All releases, optionally of one model and/or software type. */
  list(filter: { model?: string; softwareType?: string } = {}): ReleaseInfo[] {
    const modelIndex = filter.model === undefined ? undefined : findModelIndex(filter.model);
    if (filter.model !== undefined && modelIndex === undefined) throw new EmulatorInputError(`unknown model ${JSON.stringify(filter.model)}`);
    const out: ReleaseInfo[] = [];
    models.forEach((spec, k) => {
      if (modelIndex !== undefined && k !== modelIndex) return;
      for (const type of platformSoftware[spec.platform]) {
        if (filter.softwareType !== undefined && type !== filter.softwareType) continue;
        const added = this.#added.get(k)?.[type] ?? [];
        for (const r of this.releasesOf(k, type)) out.push({ ...r, model: spec.model, manufacturer: spec.manufacturer, softwareType: type, added: added.includes(r) });
      }
    });
    return out;
  }

  /** The added releases, for a state file. */
  toPersisted(): PersistedRelease[] {
    const releases: PersistedRelease[] = [];
    for (const [k, byType] of this.#added) {
      for (const type of SoftwareTypes) for (const r of byType[type] ?? []) releases.push({ model: models[k]!.model, softwareType: type, ...r });
    }
    return releases;
  }

  /** Loads what toPersisted wrote; releases of models this catalog no longer has are skipped. */
  restore(releases: readonly PersistedRelease[]): void {
    for (const r of releases) {
      const k = findModelIndex(r.model);
      if (k !== undefined) this.#put(k, r.softwareType, { version: r.version, releasedAt: r.releasedAt, verified: r.verified });
    }
  }
}
