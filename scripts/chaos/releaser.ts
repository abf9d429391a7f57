// New versions released during a chaos run, one (model, software type) at a time, favouring models with an update in flight.
import { compareVersionText } from './invariants.ts';
import type { EmulatorProcess } from './processes.ts';

/** Next version after `version`: its last number plus one.. */
export function bump(version: string): string {
  return version.replace(/(\d+)(\D*)$/, (_, n: string, tail: string) => `${Number(n) + 1}${tail}`);
}

/** A version the emulator offers for a model. */
export interface ReleaseInfo {
  readonly model: string;
  readonly softwareType: string;
  readonly version: string;
}

/**
 * Releases new versions of firmware and the Teams app for the models of the fleet, one at a
 * time, preferring models with an update in flight: the controller re-reads a device when its
 * operation ends, so those devices see the new version and start again at once (the others
 * only after the fleet view's next full read, minutes away on the real clock).
 */
export class Releaser {
  readonly #emulator: EmulatorProcess;
  readonly #latest = new Map<string, ReleaseInfo>();
  readonly #modelOf = new Map<string, string>();
  readonly #pick: <T>(items: readonly T[]) => T;
  released = 0;

  constructor(emulator: EmulatorProcess, pick: <T>(items: readonly T[]) => T) {
    this.#emulator = emulator;
    this.#pick = pick;
  }

  async load(devices: number): Promise<void> {
    for (const d of await this.#emulator.control<{ id: string; model: string }[]>('GET', `/devices?limit=${devices}`)) this.#modelOf.set(d.id, d.model);
    const models = new Set(this.#modelOf.values());
    for (const r of await this.#emulator.control<ReleaseInfo[]>('GET', '/releases')) {
      if (!models.has(r.model) || (r.softwareType !== 'firmware' && r.softwareType !== 'teamsClient')) continue;
      const key = `${r.model}|${r.softwareType}`;
      const known = this.#latest.get(key);
      if (!known || (compareVersionText(r.version, known.version) ?? 0) > 0) this.#latest.set(key, r);
    }
  }

  /** Releases the next version of one (model, software type), of a model of `busyDevices` when it can; returns what it released. */
  async releaseOne(busyDevices: readonly string[]): Promise<ReleaseInfo | undefined> {
    const busy = new Set(busyDevices.map((id) => this.#modelOf.get(id)));
    const all = [...this.#latest.keys()].sort();
    const preferred = all.filter((key) => busy.has(key.slice(0, key.indexOf('|'))));
    const keys = preferred.length > 0 ? preferred : all;
    if (keys.length === 0) return undefined;
    const last = this.#latest.get(this.#pick(keys))!;
    const next = { model: last.model, softwareType: last.softwareType, version: bump(last.version) };
    await this.#emulator.control('POST', '/releases', next);
    this.#latest.set(`${next.model}|${next.softwareType}`, next);
    this.released++;
    return next;
  }
}
