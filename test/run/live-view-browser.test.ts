// The live view in a real browser (Debian's headless Chromium over the DevTools protocol),
// served by a real controller on the example manifests, against the in-process emulator over
// loopback HTTP, on a manual clock: the page loads under its CSP without an error, its numbers
// are the statuses' and the ledger's, a hostile device name stays text, and when operations end
// the page changes by itself (server-sent events, same document, no reload).
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { cp, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ManualClock } from '../../controller/model/clock.ts';
import type { Device, Fleet } from '../../controller/model/fleet.ts';
import { silentLogger } from '../../controller/log/logger.ts';
import { parseFleetOptions } from '../../controller/config/fleet-options.ts';
import { createFleet } from '../../controller/config/fleet-connection.ts';
import { startController } from '../../controller/run/controller.ts';
import { parseManifestTexts } from '../../controller/manifest/parse-manifests.ts';
import { replaceStatus } from '../../controller/manifest/status-writer.ts';
import type { ReconcileResult } from '../../controller/model/reconcile.ts';
import { isLedgerEntryActive } from '../../controller/reconcile/ledger-entries.ts';
import { FileStateStore } from '../../controller/state/file-state-store.ts';
import { emptyState } from '../../controller/model/state.ts';
import { HeadlessPage } from '../support/chromium.ts';

const logger = silentLogger();
const day = 86_400_000;
const hour = 3_600_000;
// Friday 1 January 2027, 01:00 in Paris: the weeknight window of the general groups is open.
// A Friday night in Paris, inside the general policy's weeknight window — and not New Year's
// Day, which the example policy closes as a holiday.
const start = Date.parse('2027-01-08T00:00:00Z');
const examples = new URL('../../examples/', import.meta.url).pathname;
const hostile = '<img src=x onerror="window.__pwned=1"><script>window.__pwned=2</script>\u202eevil';

async function until<T>(what: string, check: () => T | undefined | false, timeoutMs = 120_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = check();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** Devices with an operation in flight, from the controller's own ledger. */
function inFlight(result: ReconcileResult): Set<string> {
  return new Set(result.ledger.filter(isLedgerEntryActive).map((e) => e.deviceId));
}

interface GroupStatus {
  devices?: number;
  conditions?: { type: string; status: string; reason: string; message: string }[];
}

/** What the page says about each group row and the totals, read from its DOM. */
const readPage = `(() => {
  const count = (root, state) => Number(root.querySelector('[data-state="' + state + '"] .n')?.textContent ?? 0);
  const groups = {};
  for (const row of document.querySelectorAll('#policies tr[data-group]')) {
    groups[row.dataset.group] = {
      devices: Number(row.querySelector('[data-field="devices"]').textContent),
      states: Object.fromEntries(['failed', 'refused', 'inProgress', 'blocked', 'waiting', 'upToDate', 'notRead'].map((s) => [s, count(row, s)])),
      condition: document.querySelector('tr[data-group-status="' + CSS.escape(row.dataset.group) + '"] .condition')?.textContent ?? '',
    };
  }
  const summary = document.querySelector('#summary');
  // Before the first view arrives the page has no summary yet: report nothing rendered.
  if (!summary) return { renderedAt: '', connection: document.getElementById('connection').dataset.state, inProgress: -1, devices: '', groups };
  return {
    renderedAt: document.body.dataset.renderedAt,
    connection: document.getElementById('connection').dataset.state,
    inProgress: count(summary, 'inProgress'),
    devices: summary.querySelector('h2').textContent,
    groups,
  };
})()`;

type PageState = { renderedAt: string; connection: string; inProgress: number; devices: string; groups: Record<string, { devices: number; states: Record<string, number>; condition: string }> };

test('the page loads, shows the statuses\' numbers, keeps hostile names as text, and follows operations as they end', async () => {
  const clock = new ManualClock(start);
  const { options } = parseFleetOptions(['--emulator', '--fleet-rate', '10000'], {});
  const conn = await createFleet(options, {
    logger,
    clock,
    emulator: { devices: 60, seed: 11, rateLimit: 0, failureRate: 0, durationJitter: 0, epoch: start + 40 * day },
  });
  // One device with unknown firmware (refused, so listed by name) gets a hostile display name.
  const victim = conn.emulator!.control.devices({ limit: 60 }).find((d) => d.unknownFirmware)!;
  assert.ok(victim, 'the seed has a device with unknown firmware');
  const rename = (d: Device): Device => (d.id === victim.id ? { ...d, currentUserName: hostile } : d);
  const fleet = new Proxy(conn.fleet, {
    get(target, prop) {
      if (prop === 'listDevices') return async (...args: Parameters<Fleet['listDevices']>) => (await target.listDevices(...args)).map(rename);
      if (prop === 'getDevice' && target.getDevice) return async (...args: Parameters<NonNullable<Fleet['getDevice']>>) => {
        const d = await target.getDevice!(...args);
        return d && rename(d);
      };
      const value = Reflect.get(target, prop, target) as unknown;
      return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(target) : value;
    },
  });

  const dir = await mkdtemp(join(tmpdir(), 'fw-live-'));
  const stateDir = await mkdtemp(join(tmpdir(), 'fw-live-state-'));
  for (const sub of ['groups', 'policies', 'schedules']) await cp(join(examples, sub), join(dir, sub), { recursive: true });
  // A controller that has watched this fleet before knows when each version came out (as the
  // demo's does); a first sighting would defer every update by its phase's delay.
  const history = conn.emulator!.control
    .releases()
    .filter((r) => r.verified && r.releasedAt <= start)
    .map((r) => ({ model: r.model, softwareType: r.softwareType, version: r.version, firstSeen: r.releasedAt }));
  await new FileStateStore(join(stateDir, 'state.json')).save({ ...emptyState, releases: history });
  const results: { result: ReconcileResult; now: number }[] = [];
  const stop = new AbortController();
  let page: HeadlessPage | undefined;
  const controller = await startController(
    {
      source: { kind: 'dir', dir, path: '.' },
      http: { host: '127.0.0.1', port: 0, webhookSecret: undefined, ui: { mode: 'open', loopbackOnly: true } },
      statePath: join(stateDir, 'state.json'),
      requeue: { intervalMs: hour },
      pollIntervalMs: 10 * 60_000,
      fleetView: { maxAgeMs: 4 * hour, listIntervalMs: 30 * day, chunk: 5000 },
      // Tell the page at once and forecast each time: the test waits for what it checks.
      liveView: { minIntervalMs: 0, forecastEveryMs: 0 },
    },
    { fleet, clock, logger, parse: (files, now) => parseManifestTexts(files, now), replaceStatus, onResult: (result) => results.push({ result, now: clock.now() }) },
    stop.signal,
  );
  try {
    assert.match(controller.liveViewUrl ?? '', /^http:\/\/127\.0\.0\.1:\d+\/$/);
    // The first reconciles start updates inside the open window.
    const started = await until('updates in flight', () => results.find((r) => inFlight(r.result).size > 0));
    const latest = () => results.at(-1)!;

    page = await HeadlessPage.launch({ width: 1400, height: 1000 });
    await page.goto(controller.liveViewUrl!);

    /** Waits until the page shows the latest reconcile, then checks it against that reconcile's statuses and ledger. */
    const matchesLatest = async (): Promise<{ state: PageState; last: { result: ReconcileResult; now: number } }> => {
      let state: PageState;
      let last;
      // Read the page and the latest result together until they agree: reconciles may still be running.
      const deadline = Date.now() + 120_000;
      for (;;) {
        last = latest();
        state = await page!.evaluate<PageState>(readPage);
        if (state.renderedAt === new Date(last.now).toISOString() && state.inProgress === inFlight(last.result).size) {
          // Let any reconcile still running finish, then check it is still the latest.
          await new Promise((r) => setTimeout(r, 200));
          if (latest() === last) break;
        }
        if (Date.now() > deadline) throw new Error(`the page never showed the latest reconcile: page ${JSON.stringify(state)}, in flight ${inFlight(last.result).size} at ${new Date(last.now).toISOString()}`);
        await new Promise((r) => setTimeout(r, 100));
      }
      return { state, last };
    };

    const before = await matchesLatest();
    assert.is(before.state.connection, 'live');
    assert.ok(before.state.inProgress > 0, 'updates in flight on the page');
    assert.ok(started.now <= before.last.now);
    // Every group the statuses describe has its row: members as status.devices, each member in
    // one state, and the status's own condition message.
    const groupStatuses = before.last.result.statuses.filter((u) => u.key?.kind === 'DeviceGroup');
    assert.ok(groupStatuses.length >= 4, 'the example groups');
    for (const u of groupStatuses) {
      const status = u.status as GroupStatus;
      const row = before.state.groups[u.key!.name];
      assert.ok(row, `a row for ${u.key!.name}`);
      assert.is(row.devices, status.devices, `${u.key!.name}: devices`);
      assert.is(Object.values(row.states).reduce((a, b) => a + b, 0), status.devices, `${u.key!.name}: every member counted once`);
      const stalled = status.conditions?.find((c) => c.type === 'Stalled' && c.status === 'True');
      const ready = status.conditions?.find((c) => c.type === 'Ready');
      assert.is(row.condition, stalled ? `Stalled (${stalled.reason}): ${stalled.message}` : `${ready!.status === 'True' ? 'Ready' : 'Not ready'} (${ready!.reason}): ${ready!.message}`);
    }
    const total = groupStatuses.reduce((n, u) => n + ((u.status as GroupStatus).devices ?? 0), 0);
    assert.is(before.state.devices, `${total} devices in groups`);

    // The hostile name is on the page as text: no element made of it, no script run.
    const hostileCheck = await page.evaluate<{ shown: boolean; pwned: string; elements: number }>(`({
      shown: [...document.querySelectorAll('td.device')].some((td) => td.textContent.startsWith('<img src=x onerror="window.__pwned=1"><script>window.__pwned=2</script>\\\\u202eevil')),
      pwned: typeof window.__pwned,
      elements: document.querySelectorAll('#app img, #app script, [onerror]').length,
    })`);
    assert.equal(hostileCheck, { shown: true, pwned: 'undefined', elements: 0 });

    // The operations in flight end an hour later: the page follows by itself, in the same document.
    await page.evaluate('window.__sameDocument = true');
    const ending = inFlight(before.last.result);
    clock.advance(hour);
    const ended = await until('the operations to end in the ledger', () =>
      results.find((r) => r.now >= start + hour && [...ending].every((id) => !inFlight(r.result).has(id) || r.result.ledger.some((e) => e.deviceId === id && e.state === 'succeeded'))),
    );
    const after = await matchesLatest();
    assert.ok(after.last.now >= ended.now);
    assert.is.not(after.state.renderedAt, before.state.renderedAt);
    assert.is(await page.evaluate('window.__sameDocument'), true, 'no reload');
    const succeeded = new Set(after.last.result.ledger.filter((e) => e.state === 'succeeded').map((e) => e.deviceId));
    assert.ok([...ending].some((id) => succeeded.has(id)), 'an operation in flight before has succeeded');

    // The forecast came from the worker thread and lists what is coming.
    await page.waitFor('document.querySelector("#forecast table.grid")', 'the forecast grid');
    assert.equal(page.problems.filter((p) => !/favicon/.test(p)), [], 'no console error, no CSP violation, no exception');
  } finally {
    await page?.close();
    stop.abort();
    await controller.done;
    await conn.close();
    await rm(dir, { recursive: true, force: true });
    await rm(stateDir, { recursive: true, force: true });
  }
});

test.run();
