// Reads the secrets a NotificationChannel names (its URL, a webhook's signing key) at the moment
// a message is sent, so a rotated file, variable or Secret is used without a restart. Values
// never appear in errors or logs: errors name the channel, the field and where it looked.
import { readFile } from 'node:fs/promises';

/** spec.secretRef / spec.signingSecretRef: file, env, or name with key (a Kubernetes Secret). */
export interface SecretRefSpec {
  readonly file?: string | undefined;
  readonly env?: string | undefined;
  readonly name?: string | undefined;
  readonly key?: string | undefined;
}

/** Where secrets can be read from in this process. */
export interface SecretSources {
  /** The process environment. */
  readonly env: Readonly<Record<string, string | undefined>>;
  /** Default: fs.readFile as UTF-8. */
  readonly readFile?: (path: string) => Promise<string>;
  /** A Secret's key, decoded; undefined when the Secret or key does not exist. Absent outside Kubernetes. */
  readonly kubeSecret?: (namespace: string, name: string, key: string) => Promise<string | undefined>;
}

/** A secret that cannot be read; the message says which manifest field and where, never a value. */
export class SecretRefError extends Error {
  override readonly name = 'SecretRefError';
}

/** The secret's value, trimmed. `where` names the field for errors ("NotificationChannel default/teams spec.secretRef"). */
export async function readSecretRef(ref: SecretRefSpec, namespace: string, where: string, sources: SecretSources): Promise<string> {
  const given = [ref.file !== undefined, ref.env !== undefined, ref.name !== undefined || ref.key !== undefined].filter(Boolean).length;
  if (given !== 1) throw new SecretRefError(`${where}: give exactly one of file, env, or name with key`);
  let value: string | undefined;
  if (ref.file !== undefined) {
    try {
      value = await (sources.readFile ?? ((p: string) => readFile(p, 'utf8')))(ref.file);
    } catch (error) {
      throw new SecretRefError(`${where}: cannot read the file ${ref.file} (${(error as NodeJS.ErrnoException).code ?? 'error'})`, { cause: error });
    }
  } else if (ref.env !== undefined) {
    value = sources.env[ref.env];
    if (value === undefined) throw new SecretRefError(`${where}: the environment variable ${ref.env} is not set in the controller's process`);
  } else {
    if (ref.name === undefined || ref.key === undefined) throw new SecretRefError(`${where}: a Kubernetes Secret needs both name and key`);
    if (!sources.kubeSecret) throw new SecretRefError(`${where}: a Kubernetes Secret (name ${ref.name}) can only be read by firmwarden run --kubernetes; use file or env`);
    try {
      value = await sources.kubeSecret(namespace, ref.name, ref.key);
    } catch (error) {
      throw new SecretRefError(`${where}: cannot read key ${ref.key} of the Secret ${namespace}/${ref.name} (${error instanceof Error ? error.message : String(error)})`, { cause: error });
    }
    if (value === undefined) throw new SecretRefError(`${where}: the Secret ${namespace}/${ref.name} has no key ${ref.key}`);
  }
  const trimmed = value.trim();
  if (trimmed === '') throw new SecretRefError(`${where}: the value is empty`);
  return trimmed;
}
