// Child process of identity-https.test.ts (NODE_EXTRA_CA_CERTS must be set at start-up, so it
// cannot run inside the test process): an https emulator, the adapter signing in through
// @azure/identity's ClientSecretCredential, one device list; prints a JSON line.
import { readFileSync } from 'node:fs';
import { Writable } from 'node:stream';
import { startEmulator } from '../../../controller/fleet/emulator/server.ts';
import { createGraphFleet } from '../../../controller/fleet/index.ts';
import { Secret } from '../../../controller/config/secret.ts';
import { systemClock } from '../../../controller/model/clock.ts';
import { createLogger } from '../../../controller/log/logger.ts';

// The parent test makes a throwaway certificate for this run and passes its paths.
const emulator = await startEmulator({
  devices: 30, rateLimit: 0,
  tls: { key: readFileSync(process.env.FIRMWARDEN_TEST_TLS_KEY!), cert: readFileSync(process.env.FIRMWARDEN_TEST_TLS_CERT!) },
});
const logs: string[] = [];
const logger = createLogger({ level: 'trace', destination: new Writable({ write(c, _e, done) { logs.push(String(c)); done(); } }) });
try {
  const fleet = createGraphFleet(
    {
      graphUrl: emulator.graphBaseUrl, loginUrl: emulator.loginBaseUrl, rate: 100, timeoutMs: 10_000,
      auth: { kind: 'secret', tenant: emulator.tenant, clientId: emulator.clientId, clientSecret: new Secret(emulator.clientSecret) },
    },
    { logger, clock: systemClock },
  );
  const devices = await fleet.listDevices();
  const wrong = createGraphFleet(
    {
      graphUrl: emulator.graphBaseUrl, loginUrl: emulator.loginBaseUrl, rate: 100, timeoutMs: 10_000,
      auth: { kind: 'secret', tenant: emulator.tenant, clientId: emulator.clientId, clientSecret: new Secret('Wrong-Https-Secret-9') },
    },
    { logger, clock: systemClock },
  );
  const refused = await wrong.listDevices().then(() => null, (e: Error & { retryable?: boolean; code?: string }) => ({ message: e.message, retryable: e.retryable, code: e.code }));
  if (refused) logger.error({ err: refused }, 'sign-in refused');
  const text = logs.join('');
  process.stdout.write(`${JSON.stringify({
    url: emulator.graphBaseUrl, devices: devices.length, tokenRequests: emulator.control.stats().tokenRequests, refused,
    secretLogged: text.includes(emulator.clientSecret) || text.includes('Wrong-Https-Secret-9'),
  })}\n`);
} finally {
  await emulator.close();
}
