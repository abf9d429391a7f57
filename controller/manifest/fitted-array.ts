// Arrays kept for a long time, at their exact size. V8 grows an array that `push` fills to at
// least 17 slots (8 bytes each in Node.js, which runs without pointer compression) and never
// gives the room back: a one-tag `tags: [site-10]` held 152 bytes of elements. Lint keeps every
// manifest's values until its checks end (issue 17: 5,000 files under 100 MB).

/** `list` itself when it is empty, else a copy with no spare room (the original is garbage at once). */
export function fitted<T>(list: T[]): T[] {
  return list.length === 0 ? list : list.slice();
}
