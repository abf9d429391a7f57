// `firmwarden emulator`: runs the Graph device API emulator on loopback until SIGINT/SIGTERM,
// after printing every effective setting (the URL first, so scripts can read it). With
// --tenants or --tenants-file it serves several tenants and can write their credentials to a file.
import { createLogger } from '../log/logger.ts';
import { startEmulator } from '../fleet/emulator/server.ts';
import { emulatorDefaults, type EmulatorOptions } from '../fleet/emulator/emulator-options.ts';
import type { TenantOptions } from '../fleet/emulator/tenants.ts';
import { EmulatorStateError } from '../fleet/emulator/state-file.ts';
import { parseTenantsFile } from '../fleet/emulator/tenants.ts';
import type { Command } from './command.ts';
import { UsageError } from '../config/usage-error.ts';
import { parseFlags } from './parse-flags.ts';
import { resolveLogOptions } from '../config/log-options.ts';
import { emulatorFlags } from './command-flags.ts';

const help = `Usage: firmwarden emulator [options]

Runs an emulator of the Microsoft Graph (beta) Teams device API on loopback, with a generated
fleet, an OAuth2 client-credentials token endpoint and control endpoints under /_emulator/.

Options:
  --port N             TCP port, 0 = any free port (default 0); the URL is printed on start
  --devices N          number of generated devices (default ${emulatorDefaults.devices}, up to 1000000)
  --seed S             seed of the generated fleet (default ${emulatorDefaults.seed})
  --rate-limit N       requests per second per app in each tenant, 0 = unlimited (default ${emulatorDefaults.rateLimit})
  --tenant ID          tenant id (default ${emulatorDefaults.tenant}); the first tenant's with --tenants
  --client-id ID       client id of the read-write app (default ${emulatorDefaults.clientId})
  --client-secret S    its secret (default ${emulatorDefaults.clientSecret}, a demo value)
  --speed X            clock acceleration, e.g. 3600 = one hour per second (default 1)
  --state FILE         keep the fleet, operations and clock in FILE across restarts (one tenant only)
  --tenants N          serve N tenants of --devices devices each: the first is --tenant's, the others
                       get ids, apps, secrets and fleets derived from --seed (default 1)
  --tenants-file FILE  serve the tenants a JSON file lists: [{tenantId?, name?, clientId?, clientSecret?,
                       readOnlyClientId?, readOnlyClientSecret?, devices?, seed?, rateLimit?, failureRate?}]
                       (fields left out are derived as with --tenants)
  --tenants-out FILE   write every tenant with its credentials and token URL to FILE (JSON, mode 600);
                       GET /_emulator/tenants answers the same
  --global-rate-limit N  requests per second across all tenants, 0 = none (default 0)
  --tls-cert FILE      serve HTTPS with this PEM certificate (with --tls-key)
  --tls-key FILE       PEM private key of --tls-cert
  --verbose            log every request (to stderr)
  --log-format FORMAT  text | json (default: text on a terminal, else json; FIRMWARDEN_LOG_FORMAT)
  -h, --help           show this help
`;

async function readTenantsFile(path: string): Promise<TenantOptions[]> {
  const { readFile } = await import('node:fs/promises');
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    throw new UsageError(`--tenants-file ${path} cannot be read: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
  }
  try {
    return parseTenantsFile(text, path);
  } catch (error) {
    throw new UsageError(`--tenants-file ${(error as Error).message}`);
  }
}

function toNumber(name: string, text: string, check: (n: number) => boolean, what: string): number {
  const value = Number(text);
  if (text.trim() === '' || !Number.isFinite(value) || !check(value)) throw new UsageError(`--${name} must be ${what}, got '${text}'`);
  return value;
}

async function writeTenantsOut(path: string, list: unknown): Promise<void> {
  const { chmod, writeFile } = await import('node:fs/promises');
  // Demo secrets of the emulator, but still secrets to whoever reads the file: owner only.
  await writeFile(path, `${JSON.stringify(list, null, 2)}\n`, { mode: 0o600 });
  await chmod(path, 0o600);
}

/** Starts the emulator and runs until the command's signal aborts. */
export const emulator: Command = async (args, io) => {
  const parsed = parseFlags(args, { options: emulatorFlags });
  const v = parsed.values;
  if (v.help) {
    io.stdout.write(help);
    return 0;
  }
  const options: { -readonly [K in keyof EmulatorOptions]: EmulatorOptions[K] } = {};
  if (v.port !== undefined) options.port = toNumber('port', v.port, (n) => Number.isInteger(n) && n >= 0 && n <= 65535, 'a port number (0-65535)');
  if (v.devices !== undefined) options.devices = toNumber('devices', v.devices, (n) => Number.isInteger(n) && n >= 0 && n <= 1_000_000, 'a whole number from 0 to 1000000');
  if (v.seed !== undefined) options.seed = /^-?\d+$/.test(v.seed) ? Number(v.seed) : v.seed;
  if (v['rate-limit'] !== undefined) options.rateLimit = toNumber('rate-limit', v['rate-limit'], (n) => n >= 0, 'a number >= 0');
  if (v.speed !== undefined) options.speed = toNumber('speed', v.speed, (n) => n > 0, 'a number > 0');
  if (v.tenant !== undefined) options.tenant = v.tenant;
  if (v['client-id'] !== undefined) options.clientId = v['client-id'];
  if (v['client-secret'] !== undefined) options.clientSecret = v['client-secret'];
  if (v.state !== undefined) options.statePath = v.state;
  if (v.tenants !== undefined && v['tenants-file'] !== undefined) throw new UsageError('--tenants and --tenants-file do not go together: give a count or a file');
  if (v.tenants !== undefined) options.tenants = toNumber('tenants', v.tenants, (n) => Number.isInteger(n) && n >= 1 && n <= 10_000, 'a whole number from 1 to 10000');
  if (v['tenants-file'] !== undefined) options.tenants = await readTenantsFile(v['tenants-file']);
  if (v['global-rate-limit'] !== undefined) options.globalRateLimit = toNumber('global-rate-limit', v['global-rate-limit'], (n) => n >= 0, 'a number >= 0');
  if ((v['tls-cert'] === undefined) !== (v['tls-key'] === undefined)) throw new UsageError('--tls-cert and --tls-key go together');
  if (v['tls-cert'] !== undefined && v['tls-key'] !== undefined) {
    const { readFile } = await import('node:fs/promises');
    options.tls = { cert: await readFile(v['tls-cert']), key: await readFile(v['tls-key']) };
  }
  // The level is --verbose's alone (FIRMWARDEN_LOG_LEVEL is the controller's).
  options.logger = createLogger(resolveLogOptions({ 'log-format': v['log-format'], 'log-level': v.verbose ? 'debug' : 'warn' }, io.env, io.stderr as { isTTY?: boolean }));

  let handle;
  try {
    handle = await startEmulator(options);
  } catch (error) {
    if (error instanceof EmulatorStateError || (error as NodeJS.ErrnoException).code === 'EADDRINUSE' || error instanceof RangeError) {
      // A wrong entry of the tenants file is named by its position: say which file.
      const where = v['tenants-file'] !== undefined && (error as Error).message.startsWith('tenants[') ? `--tenants-file ${v['tenants-file']}: ` : '';
      io.stderr.write(`firmwarden emulator: ${where}${(error as Error).message}\n`);
      return 1;
    }
    throw error;
  }
  const s = handle.settings;
  if (v['tenants-out'] !== undefined) {
    try {
      await writeTenantsOut(v['tenants-out'], handle.tenants());
    } catch (error) {
      await handle.close();
      io.stderr.write(`firmwarden emulator: --tenants-out ${v['tenants-out']} cannot be written: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}\n`);
      return 1;
    }
  }
  const line = (label: string, value: string) => `  ${label.padEnd(20)}${value}\n`;
  const several = s.tenants > 1
    ? line('Tenants', `${s.tenants}, ${s.totalDevices} devices in all; each with its own apps, fleet and rate limit (the first is shown above)`) +
      line('Tenant list', `${handle.url}/_emulator/tenants${v['tenants-out'] === undefined ? '' : `, written to ${v['tenants-out']}`}`) +
      line('Tenant control', `${handle.url}/_emulator/tenants/{tenantId}/state`)
    : '';
  io.stdout.write(
    `firmwarden emulator listening on ${handle.url}\n\n` +
      line('Graph base URL', handle.graphBaseUrl) +
      line('Token URL', handle.tokenUrl) +
      line('Login base URL', handle.loginBaseUrl) +
      line('Tenant', handle.tenant) +
      line('Client id', `${handle.clientId}  (TeamworkDevice.ReadWrite.All)`) +
      line('Client secret', `${handle.clientSecret}  (the emulator's own demo secret, not a real credential)`) +
      line('Read-only client', `${handle.readOnlyClientId} / ${handle.readOnlyClientSecret}  (TeamworkDevice.Read.All)`) +
      line('Devices', `${s.devices} (seed ${String(s.seed)}, generated at ${s.epoch}${s.restored ? ', restored from the state file' : ''})`) +
      line('Rate limit', s.rateLimit === 0 ? 'none' : `${s.rateLimit} requests/s per app${s.tenants > 1 ? ' per tenant' : ''}`) +
      (s.globalRateLimit === 0 ? '' : line('Global rate limit', `${s.globalRateLimit} requests/s across all tenants`)) +
      several +
      line('Clock', `speed ${s.speed}x, now ${handle.control.clock().now}`) +
      line('Operations', `queued ${s.queuedMs / 1000} s, in progress ${s.inProgressMs / 1000} s (clock time)`) +
      line('State file', s.statePath ?? 'none (state is lost on exit)') +
      line('Control', `${handle.url}/_emulator/state`) +
      '\nStop with Ctrl+C.\n',
  );
  await new Promise<void>((resolve) => {
    if (io.signal.aborted) return resolve();
    io.signal.addEventListener('abort', () => resolve(), { once: true });
  });
  await handle.close();
  io.stdout.write('firmwarden emulator stopped\n');
  return 0;
};
