// The Graph adapter of the fleet port: /beta/teamwork/devices through GraphHttp (pacing,
// retries, classification) and $batch for the per-device reads and for many updates.
import type {
  Device, DeviceOperation, DeviceSoftware, DeviceType, Fleet, ListDevicesOptions, ReadProgress, UpdateRequest, UpdateStarted,
} from '../../model/fleet.ts';
import { DeviceTypes, FleetError } from '../../model/fleet.ts';
import type { Logger } from '../../log/logger.ts';
import type { GraphHttp, GraphHttpStats } from './graph-http.ts';
import type { PacerStats } from './pacer.ts';
import { fleetErrorFromResponse } from './graph-error.ts';
import { segment } from './graph-urls.ts';
import { runBatch, type BatchResult } from './batch.ts';
import { forEachPage, maxPageSize, readPage } from './paging.ts';
import { parseDevice } from './parse-device.ts';
import { parseSoftware } from './parse-software.ts';
import { normalizeEnum, unwrapEntity } from './wire-values.ts';
import { readSchedules } from './schedules.ts';
import { ActivityStates, type ActivityState, type Booking } from '../../model/rooms.ts';
import { getOperationAt, listOperations, operationsUrl, operationUrl, parseOperations } from './operations.ts';
import { startUpdate, startUpdates } from './update-software.ts';

export interface GraphFleetStats extends GraphHttpStats {
  readonly pacer: PacerStats;
}

/**
 * The first-page URL of the device list, with a `$filter` on the unique id when one is given,
 * else on the device type when exactly one is wanted.
 */
export function devicesUrl(deviceTypes: readonly DeviceType[] | undefined, uniqueId?: string): string {
  const params = [`$top=${maxPageSize}`];
  const types = [...new Set(deviceTypes ?? [])];
  // The docs show only `eq` (no `or`, no `in`, no `and`): one clause filters server-side, the
  // rest is filtered here. `unknown` is not a useful server filter (it also stands for new members).
  if (uniqueId !== undefined) params.push(`$filter=${encodeURIComponent(`hardwareDetail/uniqueId eq '${uniqueId.replace(/'/g, "''")}'`)}`);
  else if (types.length === 1 && types[0] !== 'unknown') params.push(`$filter=${encodeURIComponent(`deviceType eq '${types[0]}'`)}`);
  return `/teamwork/devices?${params.join('&')}`;
}

/** Fleet over Microsoft Graph (or anything that speaks its device API, like the emulator). */
export class GraphFleet implements Fleet {
  readonly #http: GraphHttp;
  readonly #log: Logger;

  constructor(http: GraphHttp, logger: Logger) {
    this.#http = http;
    this.#log = logger;
  }

  /** Counters since creation: requests, Graph units, 429s, retries, timeouts, pacer state. */
  stats(): GraphFleetStats {
    return { ...this.#http.stats, pacer: this.#http.pacer.stats() };
  }

  async listDevices(options: ListDevicesOptions = {}): Promise<Device[]> {
    const wanted = options.deviceTypes && options.deviceTypes.length > 0 ? new Set(options.deviceTypes) : undefined;
    const uniqueId = options.uniqueId?.toLowerCase();
    const devices: Device[] = [];
    const seen = new Set<string>();
    let skipped = 0;
    const collect = (items: readonly unknown[]) => {
      for (const item of items) {
        const parsed = parseDevice(item);
        if (!parsed.ok) {
          skipped++;
          continue;
        }
        for (const note of parsed.notes) this.#log.debug({ deviceId: parsed.value.id, note }, 'unexpected device value');
        // A page boundary moving under a changing fleet can repeat a device: keep the first.
        if (seen.has(parsed.value.id)) continue;
        seen.add(parsed.value.id);
        if ((!wanted || wanted.has(parsed.value.deviceType)) && (uniqueId === undefined || parsed.value.uniqueId.toLowerCase() === uniqueId)) devices.push(parsed.value);
      }
      options.onProgress?.(devices.length);
    };
    const url = devicesUrl(options.deviceTypes, options.uniqueId);
    try {
      await forEachPage(this.#http, url, 'list devices', collect, options.signal);
    } catch (error) {
      if (!(error instanceof FleetError)) throw error;
      devices.length = 0;
      seen.clear();
      if (error.status === 400 && url.includes('$filter')) {
        // The literal form of the deviceType filter is not documented: if the service rejects
        // it (or the unique id one), list everything and filter here.
        this.#log.warn({ err: error.message }, 'device list filter refused, filtering locally');
        await forEachPage(this.#http, devicesUrl(undefined), 'list devices', collect, options.signal);
      } else if (error.status !== undefined && error.status >= 500 && !url.includes('$filter')) {
        await this.#listTypeByType(error, wanted, collect, options.signal);
      } else {
        throw error;
      }
    }
    if (skipped > 0) this.#log.warn({ skipped }, 'devices without id skipped');
    return devices;
  }

  /**
   * Tenants with devices the service cannot serialise (SIP analog endpoints, reported against
   * real tenants) get a 500 on every list page that holds one, while a list filtered on another
   * device type works. So: list type by type, and leave out (with a warning) only the types
   * that still fail. If every type fails, the original error stands.
   */
  async #listTypeByType(original: FleetError, wanted: ReadonlySet<DeviceType> | undefined, collect: (items: readonly unknown[]) => void, signal?: AbortSignal): Promise<void> {
    const types = DeviceTypes.filter((t) => !wanted || wanted.has(t));
    const failed: DeviceType[] = [];
    for (const type of types) {
      try {
        // Built here rather than by devicesUrl, which never filters on `unknown`.
        const url = `/teamwork/devices?$top=${maxPageSize}&$filter=${encodeURIComponent(`deviceType eq '${type}'`)}`;
        await forEachPage(this.#http, url, 'list devices', collect, signal);
      } catch (error) {
        if (!(error instanceof FleetError) || !error.retryable) throw error;
        failed.push(type);
      }
    }
    if (failed.length === types.length) throw original;
    this.#log.warn({ failedTypes: failed, err: original.message }, 'device list failed, listed type by type; devices of the failed types are missing');
  }

  /** One device by id; undefined when the service answers 404 (or 400, as for an id of the wrong shape). */
  async getDevice(deviceId: string, signal?: AbortSignal): Promise<Device | undefined> {
    const response = await this.#http.send({ method: 'GET', url: `/teamwork/devices/${segment(deviceId)}`, idempotent: true, what: 'get device' }, signal);
    if (response.status === 404 || response.status === 400) return undefined;
    if (response.status !== 200) throw fleetErrorFromResponse('get device', response);
    const parsed = parseDevice(unwrapEntity(response.body));
    if (!parsed.ok) throw new FleetError(`get device: ${parsed.problem}`, { retryable: true, status: 200, code: 'invalidResponse' });
    return parsed.value;
  }

  async readSoftware(deviceIds: readonly string[], signal?: AbortSignal, onProgress?: ReadProgress): Promise<Map<string, DeviceSoftware | FleetError>> {
    const unique = [...new Set(deviceIds)];
    const out = new Map<string, DeviceSoftware | FleetError>();
    // Each health document (a few kB) is reduced to its software states as soon as it arrives.
    const settle = (id: string, answer: BatchResult) => {
      if (answer.kind === 'error') return out.set(id, answer.error);
      if (answer.status !== 200) return out.set(id, fleetErrorFromResponse('read health', answer));
      const parsed = parseSoftware(id, answer.body);
      if (!parsed.ok) return out.set(id, new FleetError(`read health: ${parsed.problem}`, { retryable: true, status: 200, code: 'invalidResponse' }));
      for (const note of parsed.notes) this.#log.warn({ deviceId: id, note }, 'unexpected health value');
      return out.set(id, parsed.value);
    };
    const onResult = (id: string, answer: BatchResult) => {
      settle(id, answer);
      onProgress?.(out.size, unique.length);
    };
    await runBatch(
      this.#http,
      unique.map((id) => ({ key: id, method: 'GET', path: `/teamwork/devices/${segment(id)}/health` })),
      { signal, what: 'read health', onResult },
    );
    for (const id of unique) if (!out.has(id)) out.set(id, new FleetError('read health: no answer', { retryable: true }));
    return out;
  }

  async readOperations(deviceIds: readonly string[], signal?: AbortSignal): Promise<Map<string, DeviceOperation[] | FleetError>> {
    const unique = [...new Set(deviceIds)];
    const out = new Map<string, DeviceOperation[] | FleetError>();
    const more = new Map<string, string>();
    const onResult = (id: string, answer: BatchResult) => {
      if (answer.kind === 'error') return out.set(id, answer.error);
      if (answer.status !== 200) return out.set(id, fleetErrorFromResponse('list operations', answer));
      const page = readPage(answer.body);
      if (!page) return out.set(id, new FleetError('list operations: response is not a collection', { retryable: true, status: 200, code: 'invalidResponse' }));
      if (page.nextLink) more.set(id, page.nextLink);
      return out.set(id, parseOperations(id, page.items, this.#log));
    };
    await runBatch(
      this.#http,
      unique.map((id) => ({ key: id, method: 'GET', path: operationsUrl(id) })),
      { signal, what: 'list operations', onResult },
    );
    // A device with more than a page of operations is rare: its further pages are read one by one.
    for (const [id, next] of more) {
      const first = out.get(id);
      if (!Array.isArray(first)) continue;
      try {
        await forEachPage(this.#http, next, 'list operations', (items) => first.push(...parseOperations(id, items, this.#log)), signal);
      } catch (error) {
        if (!(error instanceof FleetError)) throw error;
        out.set(id, error);
      }
    }
    for (const id of unique) if (!out.has(id)) out.set(id, new FleetError('list operations: no answer', { retryable: true }));
    return out;
  }

  /** Each device's activityState now, one GET of the device ($select) per device, 20 per $batch. */
  async readActivity(deviceIds: readonly string[], signal?: AbortSignal): Promise<Map<string, ActivityState | FleetError>> {
    const unique = [...new Set(deviceIds)];
    const out = new Map<string, ActivityState | FleetError>();
    const onResult = (id: string, answer: BatchResult) => {
      if (answer.kind === 'error') return out.set(id, answer.error);
      if (answer.status !== 200) return out.set(id, fleetErrorFromResponse('read activity', answer));
      return out.set(id, normalizeEnum(unwrapEntity(answer.body)?.['activityState'], ActivityStates, 'unknown'));
    };
    await runBatch(
      this.#http,
      unique.map((id) => ({ key: id, method: 'GET', path: `/teamwork/devices/${segment(id)}?$select=id,activityState` })),
      { signal, what: 'read activity', onResult },
    );
    for (const id of unique) if (!out.has(id)) out.set(id, new FleetError('read activity: no answer', { retryable: true }));
    return out;
  }

  /** Room mailboxes' bookings between two instants (getSchedule, 20 mailboxes per call; schedules.ts). */
  readSchedules(addresses: readonly string[], from: number, to: number, signal?: AbortSignal): Promise<Map<string, Booking[] | FleetError>> {
    return readSchedules(this.#http, this.#log, addresses, from, to, signal);
  }

  startUpdate(request: UpdateRequest, signal?: AbortSignal): Promise<UpdateStarted> {
    return startUpdate(this.#http, this.#log, request, signal);
  }

  startUpdates(requests: readonly UpdateRequest[], signal?: AbortSignal): Promise<(UpdateStarted | FleetError)[]> {
    return startUpdates(this.#http, this.#log, requests, signal);
  }

  getOperation(deviceId: string, operationId: string, signal?: AbortSignal): Promise<DeviceOperation> {
    return getOperationAt(this.#http, this.#log, deviceId, operationUrl(deviceId, operationId), signal);
  }

  listOperations(deviceId: string, signal?: AbortSignal): Promise<DeviceOperation[]> {
    return listOperations(this.#http, this.#log, deviceId, signal);
  }
}
