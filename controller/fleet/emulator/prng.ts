// Deterministic randomness for the emulator: a string/number seed hashed to 32 bits, mixed
// with indices so any device or operation can be regenerated on its own (no global stream,
// so device 73,512 costs the same as device 0 and the fleet never has to be held in memory).

/** Hashes a seed (number or text) to an unsigned 32-bit integer. */
export function hashSeed(seed: number | string): number {
  const text = typeof seed === 'number' ? `n:${seed}` : `s:${seed}`;
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return finalize(h);
}

function finalize(value: number): number {
  let h = value >>> 0;
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/** Mixes several 32-bit integers into one well-spread 32-bit integer. */
export function mix(...parts: number[]): number {
  let h = 0x9e3779b9;
  for (const part of parts) {
    h = Math.imul(h ^ (part >>> 0), 0x27d4eb2d);
    h = finalize(h + 0x165667b1);
  }
  return h >>> 0;
}

/** A small fast generator (mulberry32): each call returns a float in [0, 1). */
export type Random = () => number;

/** Creates a generator from a 32-bit state. */
export function createRandom(state: number): Random {
  let a = state >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** An integer in [min, max] inclusive. */
export function randomInt(random: Random, min: number, max: number): number {
  return min + Math.floor(random() * (max - min + 1));
}

/** One element of a non-empty list. */
export function pick<T>(random: Random, items: readonly T[]): T {
  const item = items[Math.floor(random() * items.length)];
  if (item === undefined) throw new Error('pick from an empty list');
  return item;
}

/** One key chosen with probability proportional to its weight. */
export function pickWeighted<T>(random: Random, entries: readonly (readonly [T, number])[]): T {
  const total = entries.reduce((sum, [, w]) => sum + w, 0);
  let r = random() * total;
  for (const [value, weight] of entries) {
    r -= weight;
    if (r < 0) return value;
  }
  const last = entries[entries.length - 1];
  if (last === undefined) throw new Error('pickWeighted from an empty list');
  return last[0];
}

/** `count` hex digits drawn from the generator. */
export function randomHex(random: Random, count: number): string {
  let out = '';
  for (let i = 0; i < count; i++) out += Math.floor(random() * 16).toString(16);
  return out;
}
