// The lint benchmarks' peer: kubeconform at the version pinned in
// scripts/provision-kubeconform.sh (built from the Go module proxy, cached), with one JSON
// schema per kind derived from ours, named as kubeconform looks for them.
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { bundleSchemas } from '../../scripts/gen/bundle.ts';
import { BenchError } from './report.ts';

const root = new URL('../..', import.meta.url).pathname;

/** Builds (first time) or finds kubeconform; its path and pinned version. */
export function provisionKubeconform(): { bin: string; version: string } {
  const res = spawnSync('bash', [join(root, 'scripts/provision-kubeconform.sh')], { cwd: root, encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] });
  const env = Object.fromEntries((res.stdout ?? '').split('\n').filter((l) => l.includes('=')).map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)]));
  const bin = env.FIRMWARDEN_KUBECONFORM;
  const version = env.FIRMWARDEN_KUBECONFORM_VERSION;
  if (res.status !== 0 || !bin || !version) {
    throw new BenchError(`kubeconform could not be provisioned (scripts/provision-kubeconform.sh exited with ${res.status}); fix that, or run with --peer none for figures without the comparison`);
  }
  return { bin, version };
}

/** Writes one self-contained schema per kind into `dir`; the -schema-location template for it. */
export function writeKubeconformSchemas(dir: string): string {
  const { defs, kinds } = bundleSchemas({ dropRefSiblings: false });
  for (const kind of kinds) {
    const schema = { $schema: 'https://json-schema.org/draft/2020-12/schema', ...defs[kind], $defs: defs };
    writeFileSync(join(dir, `${kind.toLowerCase()}_v1alpha1.json`), JSON.stringify(schema));
  }
  return `${dir}/{{.ResourceKind}}_{{.ResourceAPIVersion}}.json`;
}
