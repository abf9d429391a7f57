// The notifier against a real HTTP receiver on 127.0.0.1: the exact Teams body, a webhook whose
// HMAC the receiver verifies (and whose replay it rejects), retries after a 500 with back-off on
// an injected clock, Retry-After, a refusal dropped, 200 failures in one message, a pending
// message surviving a restart through the state file, and sending never holding up a save.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ManualClock, systemClock } from '../../controller/model/clock.ts';
import { silentLogger } from '../../controller/log/logger.ts';
import type { Plan } from '../../controller/model/plan.ts';
import { emptyState, type LedgerEntry, type StateStore } from '../../controller/model/state.ts';
import { MemoryStateStore } from '../../controller/state/memory-state-store.ts';
import { FileStateStore } from '../../controller/state/file-state-store.ts';
import { Notifier } from '../../controller/notify/notifier.ts';
import type { NotifyManifest } from '../../controller/notify/notifier-inputs.ts';
import type { ReconcileFacts } from '../../controller/notify/derive-events.ts';
import { teamsPayload } from '../../controller/notify/render.ts';
import { deliveryHeader, signatureHeader, timestampHeader, verifySignature } from '../../controller/notify/sign.ts';
import { startReceiver, type Receiver } from './receiver.ts';

const t0 = Date.parse('2027-03-01T10:00:00Z');
const signingKey = 'k3y-0f-at-least-16-chars';
const links = { ui: 'https://firmwarden.example/', repo: 'https://git.example/fleet/blob/main/{path}' };

const plan: Plan = { now: t0, devices: [], actions: [], groups: [], policies: [], scheduledUpdates: [], conflicts: [], clamps: [], releases: [], rollouts: {}, nextActionTime: undefined, unmanaged: [] };

function failed(deviceId: string): LedgerEntry {
  return { deviceId, softwareType: 'firmware', version: '1.2.0', operationId: `op-${deviceId}`, owner: 'default/UpdatePolicy/general', requestedAt: t0 - 3_600_000, state: 'failed', endedAt: t0 - 60_000, error: { code: 'InstallFailed', message: 'disk full' }, fromVersion: '1.0.0' };
}

function facts(ledger: LedgerEntry[], now = t0): ReconcileFacts {
  return { now, plan, statuses: [], ledger, deviceLabel: (id) => `Room ${id}` };
}

function channel(type: 'teams' | 'slack' | 'webhook', secretRef: Record<string, string>, extra: Record<string, unknown> = {}): NotifyManifest {
  return { kind: 'NotificationChannel', valid: true, manifest: { apiVersion: 'firmwarden.dev/v1alpha1', kind: 'NotificationChannel', metadata: { name: 'ops' }, spec: { type, secretRef, ...extra } } };
}
const rule: NotifyManifest = { kind: 'NotificationRule', valid: true, manifest: { apiVersion: 'firmwarden.dev/v1alpha1', kind: 'NotificationRule', metadata: { name: 'trouble' }, spec: { channelRef: { name: 'ops' }, events: ['UpdateFailed'] } } };

interface Ctx {
  receiver: Receiver;
  dir: string;
  clock: ManualClock;
}

async function notifierWith(ctx: Ctx, chan: NotifyManifest, store: StateStore = new MemoryStateStore(), env: Record<string, string> = {}) {
  const notifier = new Notifier({ clock: ctx.clock, logger: silentLogger(), links, secrets: { env: { HOOK_URL: ctx.receiver.url, HOOK_KEY: signingKey, ...env } }, random: () => 0.5 });
  const wrapped = notifier.wrapStore(store);
  await wrapped.load();
  // The first observation is the baseline: nothing failed yet.
  notifier.observe(facts([]), [chan, rule], true);
  return { notifier, store: wrapped };
}

const N = suite<Ctx>('Notifier against a real receiver', { receiver: undefined as never, dir: '', clock: undefined as never });
N.before.each(async (ctx) => {
  ctx.receiver = await startReceiver();
  ctx.dir = mkdtempSync(join(tmpdir(), 'fw-notify-'));
  ctx.clock = new ManualClock(t0);
});
N.after.each(async (ctx) => {
  await ctx.receiver.close();
  rmSync(ctx.dir, { recursive: true, force: true });
});

N('Teams: the URL read from a secret file, the card posted as the Workflows trigger takes it, once', async (ctx) => {
  const urlFile = join(ctx.dir, 'teams-url');
  writeFileSync(urlFile, `${ctx.receiver.url}/workflows/abc?sig=secret\n`);
  const { notifier } = await notifierWith(ctx, channel('teams', { file: urlFile }));
  notifier.observe(facts([failed('d1')], t0 + 1000), [channel('teams', { file: urlFile }), rule], true);
  const [queued] = notifier.outbox;
  assert.ok(queued);
  assert.is((await notifier.sendDue()).sent, true);
  assert.is(ctx.receiver.received.length, 1);
  const r = ctx.receiver.received[0]!;
  assert.is(r.method, 'POST');
  assert.is(r.path, '/workflows/abc?sig=secret');
  assert.is(r.headers['content-type'], 'application/json');
  assert.is(r.headers[deliveryHeader], queued.id);
  assert.equal(JSON.parse(r.body.toString('utf8')), teamsPayload(queued, links));
  assert.match(r.body.toString('utf8'), '"text":"Room d1: firmware update to 1.2.0 failed (InstallFailed): disk full"');
  assert.equal(notifier.outbox, []);
  assert.is((await notifier.sendDue()).sent, false, 'nothing left to send');
  notifier.observe(facts([failed('d1')], t0 + 60_000), [channel('teams', { file: urlFile }), rule], true);
  assert.equal(notifier.outbox, [], 'the same failure a minute later is not sent again');
});

N('webhook: the receiver verifies the HMAC over timestamp and body, and rejects a tampered or replayed request', async (ctx) => {
  const chan = channel('webhook', { env: 'HOOK_URL' }, { signingSecretRef: { env: 'HOOK_KEY' } });
  const { notifier } = await notifierWith(ctx, chan);
  ctx.receiver.answer = (req) => {
    const problem = verifySignature(signingKey, { timestamp: req.headers[timestampHeader] as string, signature: req.headers[signatureHeader] as string }, req.body, Math.floor(ctx.clock.now() / 1000));
    return problem ? { status: 401, body: problem } : { status: 204 };
  };
  notifier.observe(facts([failed('d1')], t0 + 1000), [chan, rule], true);
  await notifier.sendDue();
  assert.equal(notifier.outbox, [], 'delivered: the receiver accepted the signature');
  const r = ctx.receiver.received[0]!;
  assert.is(r.headers[timestampHeader], String(Math.floor(t0 / 1000)), 'the time of the attempt');
  const body = JSON.parse(r.body.toString('utf8')) as { kind: string; events: { type: string; device: string }[] };
  assert.is(body.kind, 'Notification');
  assert.equal(body.events.map((e) => [e.type, e.device]), [['UpdateFailed', 'Room d1']]);
  const sig = { timestamp: r.headers[timestampHeader] as string, signature: r.headers[signatureHeader] as string };
  const now = Math.floor(ctx.clock.now() / 1000);
  assert.is(verifySignature(signingKey, sig, r.body, now), undefined);
  assert.is(verifySignature(signingKey, sig, Buffer.concat([r.body, Buffer.from(' ')]), now), 'signature does not match');
  assert.is(verifySignature('another-key-of-16-chars', sig, r.body, now), 'signature does not match');
  assert.match(verifySignature(signingKey, sig, r.body, now + 301) ?? '', /outside the tolerance/);
  assert.match(verifySignature(signingKey, { ...sig, timestamp: String(Number(sig.timestamp) + 10) }, r.body, now) ?? '', 'does not match');
});

N('a 500 is retried after the back-off, with the same delivery id; a 2xx ends it', async (ctx) => {
  const { notifier } = await notifierWith(ctx, channel('slack', { env: 'HOOK_URL' }));
  let fail = true;
  ctx.receiver.answer = () => (fail ? { status: 500, body: 'workflow down' } : { status: 200, body: 'ok' });
  notifier.observe(facts([failed('d1')], t0), [channel('slack', { env: 'HOOK_URL' }), rule], true);
  await notifier.sendDue();
  assert.is(ctx.receiver.received.length, 1);
  assert.is(notifier.outbox[0]!.attempts, 1);
  assert.is(notifier.outbox[0]!.lastError, 'HTTP 500: workflow down');
  const waiting = await notifier.sendDue();
  assert.equal(waiting, { sent: false, wakeAt: t0 + 5_000 }, 'the first back-off is 5 s (jitter 0.5 = none)');
  ctx.clock.advance(5_000);
  await notifier.sendDue();
  assert.is(ctx.receiver.received.length, 2);
  assert.equal((await notifier.sendDue()).wakeAt, t0 + 5_000 + 10_000, 'then 10 s');
  fail = false;
  ctx.clock.advance(10_000);
  await notifier.sendDue();
  assert.equal(notifier.outbox, []);
  const ids = ctx.receiver.received.map((r) => r.headers[deliveryHeader]);
  assert.is(ids.length, 3);
  assert.is(new Set(ids).size, 1, 'one delivery id across the retries');
  assert.equal(JSON.parse(ctx.receiver.received[2]!.body.toString('utf8')), JSON.parse(ctx.receiver.received[0]!.body.toString('utf8')));
});

N('a 429 waits as long as Retry-After says; a 404 is dropped at once', async (ctx) => {
  const chan = channel('slack', { env: 'HOOK_URL' });
  const { notifier } = await notifierWith(ctx, chan);
  ctx.receiver.answer = () => ({ status: 429, headers: { 'retry-after': '120' } });
  notifier.observe(facts([failed('d1')], t0), [chan, rule], true);
  await notifier.sendDue();
  assert.equal(await notifier.sendDue(), { sent: false, wakeAt: t0 + 120_000 });
  ctx.receiver.answer = () => ({ status: 404, body: 'no such workflow' });
  ctx.clock.advance(120_000);
  await notifier.sendDue();
  assert.equal(notifier.outbox, [], 'a receiver that says the URL is gone gets no retries');
  assert.is(ctx.receiver.received.length, 2);
});

N('200 failures in one reconcile: one message, one card', async (ctx) => {
  const chan = channel('teams', { env: 'HOOK_URL' });
  const { notifier } = await notifierWith(ctx, chan);
  notifier.observe(facts(Array.from({ length: 200 }, (_, i) => failed(`d${String(i).padStart(3, '0')}`)), t0), [chan, rule], true);
  assert.is(notifier.outbox.length, 1);
  while ((await notifier.sendDue()).sent);
  assert.is(ctx.receiver.received.length, 1);
  const body = ctx.receiver.received[0]!.body.toString('utf8');
  assert.match(body, 'firmwarden: 25 updates failed and 175 more events');
  assert.match(body, '"and 185 more"');
});

N('while the receiver is down, the next reconcile\'s events join the message not tried yet', async (ctx) => {
  const chan = channel('teams', { env: 'HOOK_URL' });
  const { notifier } = await notifierWith(ctx, chan);
  ctx.receiver.answer = () => ({ status: 503 });
  notifier.observe(facts([failed('d1')], t0), [chan, rule], true);
  await notifier.sendDue();
  notifier.observe(facts([failed('d1'), failed('d2')], t0 + 1000), [chan, rule], true);
  notifier.observe(facts([failed('d1'), failed('d2'), failed('d3')], t0 + 2000), [chan, rule], true);
  assert.equal(notifier.outbox.map((m) => [m.attempts, m.events.map((e) => e.device)]), [[1, ['Room d1']], [0, ['Room d2', 'Room d3']]]);
});

N('a message pending when the process stops is delivered by the next one, from the state file, once', async (ctx) => {
  const path = join(ctx.dir, 'state.json');
  const chan = channel('teams', { env: 'HOOK_URL' });
  const first = await notifierWith(ctx, chan, new FileStateStore(path));
  ctx.receiver.answer = () => ({ status: 500 });
  first.notifier.observe(facts([failed('d1')], t0), [chan, rule], true);
  await first.store.save(emptyState); // the reconcile's save carries the outbox
  await first.notifier.sendDue(); // fails; the attempt is saved too
  // A new process: the same state file, the same facts (the failure is still in the ledger).
  ctx.receiver.answer = () => ({ status: 202 });
  const second = new Notifier({ clock: ctx.clock, logger: silentLogger(), links, secrets: { env: { HOOK_URL: ctx.receiver.url } } });
  await second.wrapStore(new FileStateStore(path)).load();
  assert.equal(second.outbox.map((m) => [m.attempts, m.events.length]), [[1, 1]]);
  second.observe(facts([failed('d1')], t0 + 60_000), [chan, rule], true);
  assert.is(second.outbox.length, 1, 'the failure is known: not queued a second time');
  await second.sendDue();
  assert.equal(second.outbox, []);
  assert.is(ctx.receiver.received.length, 2, 'one failed attempt, one delivery');
  const third = new Notifier({ clock: ctx.clock, logger: silentLogger(), links, secrets: { env: { HOOK_URL: ctx.receiver.url } } });
  await third.wrapStore(new FileStateStore(path)).load();
  assert.equal(third.outbox, [], 'the delivery was saved');
});

N('sending never holds up the reconcile: a save finishes while a receiver hangs', async (ctx) => {
  const chan = channel('teams', { env: 'HOOK_URL' });
  const store = new MemoryStateStore();
  const notifier = new Notifier({ clock: systemClock, logger: silentLogger(), links, secrets: { env: { HOOK_URL: ctx.receiver.url } } });
  const wrapped = notifier.wrapStore(store);
  await wrapped.load();
  let release!: () => void;
  ctx.receiver.answer = () => new Promise((resolve) => (release = () => resolve({ status: 202 })));
  const stop = new AbortController();
  const running = notifier.run(stop.signal);
  notifier.observe(facts([]), [chan, rule], true);
  notifier.observe(facts([failed('d1')]), [chan, rule], true);
  await ctx.receiver.waitFor(1);
  await wrapped.save(emptyState); // resolves although the POST is still waiting for its answer
  assert.is((await store.load()).notifications?.outbox.length, 1, 'saved while in flight');
  release();
  for (let i = 0; i < 100 && notifier.outbox.length > 0; i++) await new Promise((r) => setTimeout(r, 20));
  assert.equal(notifier.outbox, []);
  stop.abort();
  await running;
});

N('a rule for other groups, a suspended rule, and another namespace get nothing', async (ctx) => {
  const chan = channel('teams', { env: 'HOOK_URL' });
  const other = (spec: Record<string, unknown>, namespace?: string): NotifyManifest => ({ kind: 'NotificationRule', valid: true, manifest: { metadata: { name: 'x', ...(namespace ? { namespace } : {}) }, spec: { channelRef: { name: 'ops' }, events: ['UpdateFailed'], ...spec } } });
  const notifier = new Notifier({ clock: ctx.clock, logger: silentLogger(), links, secrets: { env: { HOOK_URL: ctx.receiver.url } } });
  await notifier.wrapStore(new MemoryStateStore()).load();
  const manifests = [chan, other({ groupRefs: [{ name: 'vip' }] }), other({ suspend: true }), other({}, 'lab')];
  notifier.observe(facts([]), manifests, true);
  notifier.observe(facts([failed('d1')]), manifests, true);
  assert.equal(notifier.outbox, []);
});

N.run();
