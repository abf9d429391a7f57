import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { emulator } from '../../../controller/cli/emulator.ts';
import { UsageError } from '../../../controller/config/usage-error.ts';
import { makeIO, waitFor } from './emulator-cli-io.ts';

const cli = suite('firmwarden emulator');

cli('prints its URL and settings, serves tokens, and stops cleanly when the signal fires', async () => {
  const stop = new AbortController();
  const { io, out } = makeIO(stop.signal);
  const running = emulator(['--port', '0', '--devices', '25', '--seed', 'cli', '--rate-limit', '12', '--client-secret', 's3cret', '--speed', '60'], io);
  await waitFor(() => out().includes('Stop with Ctrl+C'));
  const url = /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(out())?.[1];
  assert.ok(url, out());
  for (const expected of ['/beta', 'oauth2/v2.0/token', '25 (seed cli', '12 requests/s per app', 's3cret', "demo secret", 'speed 60x', '/_emulator/state']) {
    assert.ok(out().includes(expected), `prints ${expected}`);
  }
  const tenant = /Tenant\s+(\S+)/.exec(out())![1];
  const clientId = /Client id\s+(\S+)/.exec(out())![1];
  const res = await fetch(`${url}/${tenant}/oauth2/v2.0/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ grant_type: 'client_credentials', client_id: clientId!, client_secret: 's3cret', scope: 'https://graph.microsoft.com/.default' }),
  });
  assert.is(res.status, 200);
  await res.body?.cancel();
  stop.abort();
  assert.is(await running, 0);
  assert.ok(out().includes('stopped'));
  const after = await fetch(`${url}/_emulator/state`).then(() => 'answered', () => 'refused');
  assert.is(after, 'refused');
});

cli('unknown flags and bad values are usage errors', async () => {
  const { io } = makeIO(new AbortController().signal);
  for (const args of [['--bogus'], ['--port', 'x'], ['--devices', '-1'], ['--speed', '0'], ['extra'], ['--tls-cert', 'a.pem']]) {
    let error: unknown;
    try {
      await emulator(args, io);
    } catch (e) {
      error = e;
    }
    assert.instance(error, UsageError, args.join(' '));
  }
});

cli('--help prints the options', async () => {
  const { io, out } = makeIO(new AbortController().signal);
  assert.is(await emulator(['--help'], io), 0);
  for (const flag of ['--port', '--devices', '--seed', '--rate-limit', '--tenant', '--client-id', '--client-secret', '--speed', '--state']) assert.ok(out().includes(flag), flag);
});

cli.run();
