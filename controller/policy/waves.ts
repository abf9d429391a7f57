// Rollout waves. The devices of a group are put in a fixed order by a stable hash of
// (device id, policy name), so a device joining or leaving moves no other device to another
// wave's side of a boundary by more than one place, and every controller replica agrees.
// Waves are cut from that order by percent or count; devices left over form one more wave.
import type { Wave } from '../model/manifests.generated.ts';
import { orderByHash } from './hash-order.ts';

/** 32-bit FNV-1a hash of the text (of `text + more`, without building that string). */
export function stableHash(text: string, more = ''): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  for (let i = 0; i < more.length; i++) {
    h ^= more.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

/** Sizes of the waves for `total` devices (a percent rounds up, so a 5% canary of 10 devices is 1). */
export function waveSizes(total: number, waves: readonly Wave[] | undefined): number[] {
  if (!waves || waves.length === 0) return total > 0 ? [total] : [];
  const sizes: number[] = [];
  let left = total;
  for (const w of waves) {
    if (left <= 0) break;
    const want = w.count ?? Math.ceil((total * (w.percent ?? 100)) / 100);
    const size = Math.min(left, Math.max(1, want));
    sizes.push(size);
    left -= size;
  }
  if (left > 0) sizes.push(left);
  return sizes;
}

/** Wave number (from 1) of each device id, in a deterministic order for `policyName`. */
export function assignWaves(deviceIds: readonly string[], policyName: string, waves: readonly Wave[] | undefined): Map<string, number> {
  const out = new Int32Array(deviceIds.length);
  assignWavesInto(deviceIds.map((_, i) => i), (i) => deviceIds[i]!, policyName, waves, out);
  return new Map(deviceIds.map((id, i) => [id, out[i]!]));
}

/**
 * Writes the wave (from 1) of each device position into `out[position]`: the positions are
 * ordered by the stable hash of (id, policy name), ties by id, then cut into waves.
 */
export function assignWavesInto(positions: readonly number[], idOf: (position: number) => string, policyName: string, waves: readonly Wave[] | undefined, out: Int32Array): void {
  const n = positions.length;
  const hashes = new Float64Array(n);
  const salt = `\u0000${policyName}`;
  for (let k = 0; k < n; k++) hashes[k] = stableHash(idOf(positions[k]!), salt);
  // Sorted natively on packed keys (hash-order.ts); only equal hashes compare ids.
  const order = orderByHash(hashes, (a, b) => compareText(idOf(positions[a]!), idOf(positions[b]!)));
  const sizes = waveSizes(n, waves);
  let pos = 0;
  for (let w = 0; w < sizes.length; w++) {
    const size = sizes[w]!;
    for (let k = 0; k < size; k++) out[positions[order[pos++]!]!] = w + 1;
  }
}

function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Name of a wave for people: its manifest name, or "wave N" (the leftover wave: "the rest"). */
export function waveName(waves: readonly Wave[] | undefined, wave: number): string {
  const written = waves?.[wave - 1];
  if (written?.name) return `wave ${wave} (${written.name})`;
  if (waves && waves.length > 0 && wave === waves.length + 1) return `wave ${wave} (the rest)`;
  return `wave ${wave}`;
}
