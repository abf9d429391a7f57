// What a module loads at start: the files under controller/ that an entry reaches through
// static, non-type imports (dynamic import() calls are not followed: they load on demand).
// Tests use it to keep heavy adapters out of a command's start-up or a process's memory.
import { readFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';

const controller = new URL('../../controller/', import.meta.url).pathname;
const staticImport = /^[ \t]*(?:import|export)\s+(?!type\b)[^'";]*?\bfrom\s*['"](\.[^'"]+)['"]|^[ \t]*import\s*['"](\.[^'"]+)['"]/gm;

/** Files under controller/ (relative to it) that `entry` (relative to it) loads statically. */
export function staticGraph(entry: string): Set<string> {
  const seen = new Set<string>();
  const todo = [join(controller, entry)];
  while (todo.length > 0) {
    const file = todo.pop()!;
    const rel = relative(controller, file);
    if (seen.has(rel)) continue;
    seen.add(rel);
    for (const m of readFileSync(file, 'utf8').matchAll(staticImport)) todo.push(join(dirname(file), (m[1] ?? m[2])!));
  }
  return seen;
}
