// `firmwarden emulator`: runs the Graph device API emulator on loopback until SIGINT/SIGTERM,
// after printing every effective setting (the URL first, so scripts can read it).
import { createLogger } from '../log/logger.ts';
import { emulatorDefaults, startEmulator, type EmulatorOptions } from '../fleet/emulator/server.ts';
import { EmulatorStateError } from '../fleet/emulator/state-file.ts';
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
  --rate-limit N       requests per second per app, 0 = unlimited (default ${emulatorDefaults.rateLimit})
  --tenant ID          tenant id (default ${emulatorDefaults.tenant})
  --client-id ID       client id of the read-write app (default ${emulatorDefaults.clientId})
  --client-secret S    its secret (default ${emulatorDefaults.clientSecret}, a demo value)
  --speed X            clock acceleration, e.g. 3600 = one hour per second (default 1)
  --state FILE         keep the fleet, operations and clock in FILE across restarts
  --tls-cert FILE      serve HTTPS with this PEM certificate (with --tls-key)
  --tls-key FILE       PEM private key of --tls-cert
  --verbose            log every request (to stderr)
  --log-format FORMAT  text | json (default: text on a terminal, else json; FIRMWARDEN_LOG_FORMAT)
  -h, --help           show this help
`;

function toNumber(name: string, text: string, check: (n: number) => boolean, what: string): number {
  const value = Number(text);
  if (text.trim() === '' || !Number.isFinite(value) || !check(value)) throw new UsageError(`--${name} must be ${what}, got '${text}'`);
  return value;
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
      io.stderr.write(`firmwarden emulator: ${(error as Error).message}\n`);
      return 1;
    }
    throw error;
  }
  const s = handle.settings;
  const line = (label: string, value: string) => `  ${label.padEnd(20)}${value}\n`;
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
      line('Rate limit', s.rateLimit === 0 ? 'none' : `${s.rateLimit} requests/s per app`) +
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
