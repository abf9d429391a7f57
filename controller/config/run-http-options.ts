// `firmwarden run`'s HTTP options: the listen address, the webhook secret, and who may read the live view.
import { readFile } from 'node:fs/promises';
import { UsageError } from './usage-error.ts';
import { hide, type OptionReader } from './option-reader.ts';
import { parseListen } from './run-option-values.ts';
import { FileSecret, Secret } from './secret.ts';
import { decideLiveViewAccess, type LiveViewAccess } from '../server/live-view-access.ts';

/** Where run listens, and the secrets of its webhook and live view (non-enumerable). */
export interface RunHttpOptions {
  readonly host: string;
  readonly port: number;
  /** Non-enumerable; undefined: the webhook is off. From --webhook-secret-file, read again when the file changes. */
  readonly webhookSecret: Secret | undefined;
  /** Who may read the live view (server/live-view-access.ts); its token is non-enumerable. Absent: no live view. */
  readonly ui?: LiveViewAccess;
}

/** The live view's token from --ui-token-file (read again when the file changes) or FIRMWARDEN_UI_TOKEN; at least 16 characters. */
async function readUiToken(path: string | undefined, fromEnv: string | undefined): Promise<Secret | undefined> {
  const tooShort = (value: string) => (value.length < 16 ? 'the live view token must be at least 16 characters (e.g. openssl rand -hex 16)' : undefined);
  if (path === undefined) {
    if (fromEnv === undefined || fromEnv === '') return undefined;
    if (tooShort(fromEnv)) throw new UsageError(`FIRMWARDEN_UI_TOKEN: ${tooShort(fromEnv)!}`);
    return new Secret(fromEnv);
  }
  let value: string;
  try {
    value = (await readFile(path, 'utf8')).trim();
  } catch (error) {
    throw new UsageError(`cannot read --ui-token-file ${path}: ${(error as NodeJS.ErrnoException).code ?? 'error'}`);
  }
  if (tooShort(value)) throw new UsageError(`--ui-token-file ${path}: ${tooShort(value)!}`);
  return new FileSecret(path, value, { check: tooShort });
}

/** Resolves the HTTP options; reads the webhook secret and live view token files (again after they change). Throws UsageError on a short secret or token. */
export async function resolveRunHttpOptions({ str, bool, file }: OptionReader, env: Readonly<Record<string, string | undefined>>): Promise<RunHttpOptions> {
  const listen = parseListen(str('listen') ?? '127.0.0.1:8080');
  const secretFile = file('webhook-secret-file');
  let webhookSecret = env.FIRMWARDEN_WEBHOOK_SECRET === '' ? undefined : env.FIRMWARDEN_WEBHOOK_SECRET;
  if (secretFile !== undefined) {
    try {
      webhookSecret = (await readFile(secretFile, 'utf8')).trim();
    } catch (error) {
      throw new UsageError(`cannot read --webhook-secret-file ${secretFile}: ${(error as NodeJS.ErrnoException).code ?? 'error'}`);
    }
  }
  const tooShort = (value: string) => (value.length < 16 ? 'the webhook secret must be at least 16 characters' : undefined);
  if (webhookSecret !== undefined && tooShort(webhookSecret)) throw new UsageError(tooShort(webhookSecret)!);
  const secret = webhookSecret === undefined ? undefined
    // A rotated file that is too short keeps the previous secret (FileSecret reports it).
    : secretFile !== undefined ? new FileSecret(secretFile, webhookSecret, { check: tooShort })
    : new Secret(webhookSecret);
  const ui = decideLiveViewAccess(listen.host, { ui: bool('ui'), token: await readUiToken(file('ui-token-file'), env.FIRMWARDEN_UI_TOKEN) });
  return Object.freeze(hide(hide({ host: listen.host, port: listen.port } as RunHttpOptions, 'webhookSecret', secret), 'ui', ui));
}
