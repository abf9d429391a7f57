// The `yaml` library, loaded on first use. Most manifests are read by fast-yaml.ts; `yaml` is
// needed only to place a finding or to read what the fast path leaves alone, so a clean lint
// run never pays for loading it (tens of milliseconds of start-up). A synchronous require is
// what lets the pure parsing functions stay synchronous; `yaml` ships CommonJS, so this is the
// same module instance an `import 'yaml'` elsewhere gets.
import { createRequire } from 'node:module';

type YamlLibrary = typeof import('yaml');

let library: YamlLibrary | undefined;

/** The `yaml` module (loaded once). */
export function yamlLibrary(): YamlLibrary {
  library ??= createRequire(import.meta.url)('yaml') as YamlLibrary;
  return library;
}
