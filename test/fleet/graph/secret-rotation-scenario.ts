// A client secret rotated on disk while the Graph adapter runs, against the emulator on loopback:
// over http in the test process (the small client-credentials fetcher), or over https in a child
// process (@azure/identity; NODE_EXTRA_CA_CERTS must be set at start-up). The tenant's side of
// the rotation is the emulator's control endpoint POST /_emulator/apps/{clientId}/secret: from
// then on the old secret is refused, and tokens already issued stay valid until they expire.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { startEmulator } from '../../../controller/fleet/emulator/server.ts';
import { createFleet } from '../../../controller/config/fleet-connection.ts';
import { parseFleetOptions } from '../../../controller/config/fleet-options.ts';
import { createLogger } from '../../../controller/log/logger.ts';
import { ManualClock } from '../../../controller/model/clock.ts';

export const rotationSecrets = ['first-secret-A-0123', 'second-secret-B-4567', 'third-secret-C-89ab'] as const;

export interface RotationResult {
  /** Devices listed at each step. */
  readonly devices: number[];
  /** Token requests the emulator had answered after each step. */
  readonly tokenRequests: number[];
  /** The error of the step that failed, if one did. */
  readonly error: string | undefined;
  readonly logMessages: string[];
  readonly secretLogged: boolean;
}

/** A throwaway self-signed certificate for 127.0.0.1, made for this run (no key is kept in the repository). */
export function makeLoopbackCertificate(dir: string): { key: string; cert: string } {
  const key = join(dir, 'loopback-key.pem');
  const cert = join(dir, 'loopback-cert.pem');
  execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', key, '-out', cert, '-days', '1', '-subj', '/CN=127.0.0.1', '-addext', 'subjectAltName=IP:127.0.0.1,DNS:localhost'], { stdio: 'ignore' });
  return { key, cert };
}

/**
 * Signs in with secret A and lists devices. Rotates to B (the tenant, then the file renamed over
 * the old one): a listing with the token in hand needs no sign-in; once the token is due for
 * renewal the sign-in must carry B. Then the same with C written in place.
 */
export async function runRotationScenario(tls?: { key: Buffer; cert: Buffer }): Promise<RotationResult> {
  const clock = new ManualClock(Date.parse('2026-03-02T10:00:00Z'));
  const dir = mkdtempSync(join(tmpdir(), 'fw-rotate-'));
  const path = join(dir, 'client-secret');
  const logs: string[] = [];
  const logger = createLogger({ level: 'debug', destination: new Writable({ write(c, _e, done) { logs.push(String(c)); done(); } }) });
  // Four minutes: shorter than the five minutes before expiry at which MSAL stops serving a
  // token from its own cache, so every renewal is a real sign-in on the https path too.
  const emulator = await startEmulator({ devices: 5, rateLimit: 0, clock, clientSecret: rotationSecrets[0], tokenLifetimeSeconds: 240, ...(tls ? { tls } : {}) });
  const devices: number[] = [];
  const tokenRequests: number[] = [];
  let error: string | undefined;
  try {
    writeFileSync(path, `${rotationSecrets[0]}\n`);
    const { options } = parseFleetOptions(
      ['--graph-url', emulator.graphBaseUrl, '--login-url', emulator.loginBaseUrl, '--tenant', emulator.tenant, '--client-id', emulator.clientId, '--client-secret-file', path, '--fleet-rate', '1000'],
      {},
    );
    const connection = await createFleet(options, { logger, clock });
    const step = async () => {
      devices.push((await connection.fleet.listDevices()).length);
      tokenRequests.push(emulator.control.stats().tokenRequests);
    };
    const rotateTenant = async (secret: string) => {
      const res = await fetch(`${new URL(emulator.graphBaseUrl).origin}/_emulator/apps/${emulator.clientId}/secret`, {
        method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ secret }),
      });
      if (!res.ok) throw new Error(`rotation refused: HTTP ${res.status} ${await res.text()}`);
    };
    try {
      await step();
      await rotateTenant(rotationSecrets[1]);
      writeFileSync(`${path}.new`, `${rotationSecrets[1]}\n`);
      renameSync(`${path}.new`, path);
      await step();
      clock.advance(3 * 60_000); // past the renewal time (half of a short token's life)
      await step();
      await rotateTenant(rotationSecrets[2]);
      writeFileSync(path, `${rotationSecrets[2]}\n`);
      clock.advance(3 * 60_000);
      await step();
    } catch (e) {
      error = e instanceof Error ? e.message : String(e);
    } finally {
      await connection.close();
    }
  } finally {
    await emulator.close();
    rmSync(dir, { recursive: true, force: true });
  }
  const text = logs.join('');
  return {
    devices,
    tokenRequests,
    error,
    logMessages: logs.map((l) => (JSON.parse(l) as { msg: string }).msg),
    secretLogged: rotationSecrets.some((s) => text.includes(s) || (error ?? '').includes(s)),
  };
}
