// The example config repository's manifests, as a map of relative path to text, for tests that
// lay them out in a fresh Git repository or folder.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

const examples = new URL('../../examples/', import.meta.url).pathname;

/** The manifest files of examples/groups, policies and schedules (files only: groups/ also holds a folder of holiday calendars). */
export function exampleFiles(): Record<string, string> {
  const files: Record<string, string> = {};
  for (const sub of ['groups', 'policies', 'schedules']) {
    for (const entry of readdirSync(join(examples, sub), { withFileTypes: true })) {
      if (entry.isFile()) files[`${sub}/${entry.name}`] = readFileSync(join(examples, sub, entry.name), 'utf8');
    }
  }
  return files;
}
