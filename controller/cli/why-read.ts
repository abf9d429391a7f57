// What `why` reads: the one device (by id first, then by unique id, the whole list only for a
// serial number), the device list its group needs (only some device types when the selectors
// allow, those lists side by side), its health and operations, and then only the devices its
// explanation depends on (see plan/why-scope.ts), planning again after each read with the same
// engine as plan and run. Devices whose software was not read get no entries in that plan, and
// nothing of them is shown: why shows the one device.
import type { Device, DeviceOperation, DeviceSoftware, DeviceType, Fleet } from '../model/fleet.ts';
import { FleetError } from '../model/fleet.ts';
import type { Plan } from '../model/plan.ts';
import type { PlanInput } from '../plan/build-plan.ts';
import { planFrom, planInputFrom, splitManifests } from '../reconcile/engine.ts';
import { findDevice } from '../plan/explain-device.ts';
import { earlierWaves, healthPeers, listScope, rankedBefore, scheduledPeers, slotsLeft } from '../plan/why-scope.ts';
import { isActiveUpdate, readOperations, withFleetOperations, type PreviewInput } from './fleet-operations.ts';
import { roomWarnings } from './room-checks.ts';
import { RoomBook } from '../reconcile/room-book.ts';
import { silentLogger } from '../log/logger.ts';
import type { ProgressLine } from './progress.ts';
import { engineInput, type Desired } from './plan.ts';

/** The fleet calls why makes (the Graph adapter has them all; getDevice is optional). */
export type WhyFleet = Pick<Fleet, 'listDevices' | 'readSoftware' | 'readOperations' | 'listOperations' | 'getDevice' | 'readActivity' | 'readSchedules'>;

/** What why read and planned. */
export interface WhyRead {
  /** The device, or undefined when no device has that id, unique id or serial. */
  readonly device: Device | undefined;
  readonly plan: Plan | undefined;
  /** The engine's input the plan came from. */
  readonly input: PreviewInput | undefined;
  /** Devices listed (1 when the device was found by id and no group needs the list). */
  readonly listed: number;
  /** Devices whose software was read. */
  readonly read: number;
  readonly warnings: readonly string[];
}

/** Settings of a read. */
export interface WhyReadSettings {
  readonly now: number;
  readonly label: string;
  /** Hears of the lists and reads; the caller ends it. */
  readonly progress: ProgressLine;
  readonly signal?: AbortSignal;
  /** Most devices read per step (ScheduledUpdate targets; those ahead for a slot, fewer when fewer slots are left). Default 60 (two seconds at 30 requests a second). */
  readonly chunk?: number;
}

/** Lists the devices of these types, one filtered page sequence per type, side by side within the pacer. */
async function listTypes(fleet: WhyFleet, types: readonly DeviceType[], settings: WhyReadSettings): Promise<Device[]> {
  const counts = new Map<DeviceType, number>();
  const started = performance.now();
  const lists = await Promise.all(types.map((type) => fleet.listDevices({
    deviceTypes: [type],
    ...(settings.signal ? { signal: settings.signal } : {}),
    onProgress: (n) => {
      counts.set(type, n);
      settings.progress.update({ phase: 'list', listed: [...counts.values()].reduce((a, b) => a + b, 0), elapsedMs: performance.now() - started });
    },
  })));
  return lists.flat();
}

async function listAll(fleet: WhyFleet, settings: WhyReadSettings): Promise<Device[]> {
  const started = performance.now();
  return fleet.listDevices({
    ...(settings.signal ? { signal: settings.signal } : {}),
    onProgress: (listed) => settings.progress.update({ phase: 'list', listed, elapsedMs: performance.now() - started }),
  });
}

/** The device by id (one request), else by unique id (one filtered page); undefined: only the whole list can tell. */
async function lookUp(fleet: WhyFleet, ref: string, signal?: AbortSignal): Promise<Device | undefined> {
  const r = ref.trim();
  if (r === '') return undefined;
  if (fleet.getDevice) {
    const byId = await fleet.getDevice(r, signal);
    if (byId && byId.id.toLowerCase() === r.toLowerCase()) return byId;
  }
  const byUniqueId = await fleet.listDevices({ uniqueId: r, ...(signal ? { signal } : {}) });
  return findDevice(byUniqueId, r);
}

/** Reads what explaining `ref` needs and plans it. */
export async function readForWhy(fleet: WhyFleet, ref: string, desired: Desired, settings: WhyReadSettings): Promise<WhyRead> {
  const warnings: string[] = [];
  const signal = settings.signal;
  let device = await lookUp(fleet, ref, signal);
  let devices: Device[];
  const scope = device ? listScope(device, splitManifests(desired.parsed.manifests), desired.state.ledger) : { kind: 'all' as const };
  if (scope.kind === 'none') devices = [device!];
  else if (scope.kind === 'types') devices = await listTypes(fleet, scope.types, settings);
  else devices = await listAll(fleet, settings);
  if (scope.kind === 'all') device = findDevice(devices, ref) ?? device;
  if (!device) return { device: undefined, plan: undefined, input: undefined, listed: devices.length, read: 0, warnings };
  const found = device;
  // A device missing from its lists (a list that failed for its type) is still explained.
  if (!devices.some((d) => d.id === found.id)) devices = [...devices, found];

  // The fleet as far as it is read: `readSome` fills these maps, which the input shares.
  const software = new Map<string, DeviceSoftware>();
  const unreadable = new Map<string, string>();
  const tried = new Set<string>();
  let input = engineInput(desired, settings.now, { devices, software, readAt: new Map(), unreadable, listedAt: settings.now });
  const readSome = async (ids: readonly string[]) => {
    const wanted = ids.filter((id) => !tried.has(id));
    if (wanted.length === 0) return;
    for (const id of wanted) tried.add(id);
    const started = performance.now();
    const results = await fleet.readSoftware(wanted, signal, (done, total) => settings.progress.update({ phase: 'read', read: done, total, elapsedMs: performance.now() - started }));
    const failed: string[] = [];
    for (const [id, result] of results) {
      if (result instanceof FleetError) {
        failed.push(id);
        unreadable.set(id, result.message);
      } else software.set(id, result);
    }
    if (failed.includes(found.id)) warnings.push(`${settings.label}: could not read the software of the device (${(results.get(found.id) as FleetError).message})`);
    else if (failed.length > 0) warnings.push(`${settings.label}: could not read the software of ${failed.length} other device${failed.length === 1 ? '' : 's'} its plan depends on; they count as reporting nothing, as in a plan of the whole fleet`);
  };

  // The device's health and its operations, side by side.
  const [, operations] = await Promise.all([readSome([found.id]), readOperations(fleet, [found.id], signal)]);
  const own = operations.get(found.id);
  if (own instanceof FleetError) warnings.push(`${settings.label}: could not read the operations of the device (${own.message}); an update started outside firmwarden would not show`);
  const activeOwn: DeviceOperation[] = Array.isArray(own) ? own.filter(isActiveUpdate) : [];
  input = withFleetOperations(input, activeOwn);
  let plan = await planEnough(input, found.id, readSome, settings.chunk);
  // As before a POST: the devices it would start are read again for activity and room
  // calendars; a held one frees its slot, so the story is planned again (room-checks.ts).
  const book = new RoomBook(fleet, silentLogger());
  const roomsRead = new Set<string>();
  for (let round = 0; round < 4; round++) {
    const reads = plan.rooms?.reads;
    if (!reads || reads.devices.every((id) => roomsRead.has(id))) break;
    for (const id of reads.devices) roomsRead.add(id);
    await book.read(reads, settings.now, signal);
    input = { ...input, rooms: book.observations() };
    plan = await planEnough(input, found.id, readSome, settings.chunk);
  }
  warnings.push(...roomWarnings(settings.label, plan, found.id));
  return { device: found, plan, input, listed: devices.length, read: software.size, warnings };
}

/**
 * Plans `input` with the engine, whose fleet software the caller fills through `read` (the device's own is read),
 * reading more until the device's story is what the whole fleet's software would give: the
 * targets of its ScheduledUpdates while one looks complete, the devices whose health its
 * policy is judged on (soaks, evidence), the earlier waves of its group,
 * then the devices ahead of it for a slot, from as many as slots are left up to `chunk` (default
 * 60) at a time, until its slot is decided. `read` must skip what it already read.
 */
export async function planEnough(input: PreviewInput, deviceId: string, read: (ids: readonly string[]) => Promise<void>, chunk = 60): Promise<Plan> {
  const step = Math.max(1, chunk);
  // What the scope rules look at (manifests, operations, devices) stays; only software is read.
  const scope: PlanInput = planInputFrom(input);
  const asked = new Set<string>([deviceId]);
  const unread = (ids: readonly string[]) => ids.filter((id) => !asked.has(id));
  const readNew = async (ids: readonly string[]) => {
    for (const id of ids) asked.add(id);
    if (ids.length > 0) await read(ids);
  };
  let plan = planFrom(input);

  // A ScheduledUpdate is complete when all its targets are: one unfinished target settles it.
  for (let peers = unread(scheduledPeers(scope, plan, deviceId)); peers.length > 0; peers = unread(scheduledPeers(scope, plan, deviceId))) {
    await readNew(peers.slice(0, step));
    plan = planFrom(input);
  }

  // Health: the soaks of its policy's updates (a regression may stop the rollout) and the
  // evidence group's devices its versions wait for, in one step (a small set: see healthPeers).
  const health = unread(healthPeers(scope, plan, deviceId));
  if (health.length > 0) {
    await readNew(health);
    plan = planFrom(input);
  }

  // Wave order: the earlier waves of its group, when an automatic update of it waits or would start.
  const earlier = unread(earlierWaves(scope, plan, deviceId));
  if (earlier.length > 0) {
    await readNew(earlier);
    plan = planFrom(input);
  }

  // maxConcurrent: the devices that would take a slot before it, nearest the front first, until
  // its slot is decided. Counting more of them can only take more slots, so a slot lost stays lost.
  // A step reads as many as slots are left (fewer cannot take them all), so a slot lost early is
  // lost without reading past the device that takes the last; the step doubles while the slot
  // holds (a won slot needs every device ahead: few round trips), and never crosses a multiple
  // of `step`, so no more are read than `step` at a time would read.
  const queue = unread(rankedBefore(scope, plan, deviceId));
  let taken = 0;
  let size = 0;
  while (queue.length > 0) {
    size = Math.min(step - (taken % step), Math.max(slotsLeft(scope, plan, deviceId), size * 2));
    taken += size;
    await readNew(queue.splice(0, size));
    plan = planFrom(input);
    const entries = plan.devices.find((d) => d.deviceId === deviceId)?.entries ?? [];
    const lost = entries.some((e) => e.reason.code === 'ConcurrencyLimit') && !entries.some((e) => e.state === 'pending' && e.reason.code === 'Starting');
    if (lost) break;
  }
  return plan;
}
