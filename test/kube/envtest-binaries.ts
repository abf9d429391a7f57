// Finds the kube-apiserver, etcd and kubectl that scripts/provision-kube.sh builds. Explicit
// environment variables win; otherwise the env file the script writes into the cache is read.
// Missing binaries are an error, never a reason to skip: the Kubernetes tests must run.
import { accessSync, constants, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';

/** Paths of the three programs the harness runs. */
export interface KubeBinaries {
  apiserver: string;
  etcd: string;
  kubectl: string;
}

/** Raised when the binaries are not there; the message says how to get them. */
export class KubeBinariesMissing extends Error {
  override name = 'KubeBinariesMissing';
}

/** The cache directory provision-kube.sh uses. */
export function kubeCacheDir(env: NodeJS.ProcessEnv = process.env): string {
  return join(env.FIRMWARDEN_CACHE || join(homedir(), '.cache', 'firmwarden'), 'kube');
}

function readEnvFile(path: string): Record<string, string> {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch {
    return {};
  }
  const out: Record<string, string> = {};
  for (const line of text.split('\n')) {
    const m = /^([A-Z_]+)=(.*)$/.exec(line.trim());
    if (m) out[m[1]!] = m[2]!;
  }
  return out;
}

function isExecutable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** Resolves the binaries from FIRMWARDEN_KUBE_APISERVER / FIRMWARDEN_ETCD / FIRMWARDEN_KUBECTL or the cache. */
export function findKubeBinaries(env: NodeJS.ProcessEnv = process.env): KubeBinaries {
  const envFile = join(kubeCacheDir(env), 'current.env');
  const fromFile = readEnvFile(envFile);
  const pick = (name: string) => env[name] || fromFile[name] || '';
  const found: KubeBinaries = {
    apiserver: pick('FIRMWARDEN_KUBE_APISERVER'),
    etcd: pick('FIRMWARDEN_ETCD'),
    kubectl: pick('FIRMWARDEN_KUBECTL'),
  };
  const missing = Object.entries(found).filter(([, path]) => !path || !isExecutable(path));
  if (missing.length > 0) {
    const what = missing.map(([name, path]) => `${name}${path ? ` (${path} is not executable)` : ''}`).join(', ');
    throw new KubeBinariesMissing(
      `The Kubernetes tests need a real kube-apiserver, etcd and kubectl; missing: ${what}.\n` +
        `Run scripts/provision-kube.sh (it builds them from the Go module proxy and caches them in ${kubeCacheDir(env)}),\n` +
        `or point FIRMWARDEN_KUBE_APISERVER, FIRMWARDEN_ETCD and FIRMWARDEN_KUBECTL at existing binaries.`,
    );
  }
  return found;
}
