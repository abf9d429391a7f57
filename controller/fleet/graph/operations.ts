// Reading a device's operations: one by id (or by the Location an action returned), or all of
// them page by page, and picking the active softwareUpdate among them.
import type { DeviceOperation } from '../../model/fleet.ts';
import { FleetError, isOperationActive } from '../../model/fleet.ts';
import type { Logger } from '../../log/logger.ts';
import type { GraphHttp } from './graph-http.ts';
import { fleetErrorFromResponse } from './graph-error.ts';
import { segment } from './graph-urls.ts';
import { forEachPage, maxPageSize } from './paging.ts';
import { parseOperation } from './parse-operation.ts';

/** The first-page URL of a device's operation list. */
export function operationsUrl(deviceId: string): string {
  return `/teamwork/devices/${segment(deviceId)}/operations?$top=${maxPageSize}`;
}

/** The URL of one operation. */
export function operationUrl(deviceId: string, operationId: string): string {
  return `/teamwork/devices/${segment(deviceId)}/operations/${segment(operationId)}`;
}

/** Parses a list of wire operations, logging (not failing on) entries without an id and unknown statuses. */
export function parseOperations(deviceId: string, items: readonly unknown[], log: Logger): DeviceOperation[] {
  const out: DeviceOperation[] = [];
  for (const item of items) {
    const parsed = parseOperation(deviceId, item);
    if (!parsed.ok) {
      log.warn({ deviceId, problem: parsed.problem }, 'operation skipped');
      continue;
    }
    for (const note of parsed.notes) log.warn({ deviceId, operationId: parsed.value.id, note }, 'unexpected operation value');
    out.push(parsed.value);
  }
  return out;
}

/** Every operation of a device, all pages. */
export async function listOperations(http: GraphHttp, log: Logger, deviceId: string, signal?: AbortSignal): Promise<DeviceOperation[]> {
  const out: DeviceOperation[] = [];
  await forEachPage(http, operationsUrl(deviceId), 'list operations', (items) => out.push(...parseOperations(deviceId, items, log)), signal);
  return out;
}

/** One operation, by its URL (as in a Location header) or by id. */
export async function getOperationAt(http: GraphHttp, log: Logger, deviceId: string, url: string, signal?: AbortSignal): Promise<DeviceOperation> {
  const response = await http.send({ method: 'GET', url, idempotent: true, what: 'get operation' }, signal);
  if (response.status !== 200) throw fleetErrorFromResponse('get operation', response);
  return parseOperationResponse(deviceId, response.body, log);
}

/** A 200 body -> operation, or a retryable error for an unreadable one. */
export function parseOperationResponse(deviceId: string, body: unknown, log: Logger): DeviceOperation {
  const parsed = parseOperation(deviceId, body);
  if (!parsed.ok) throw new FleetError(`get operation: ${parsed.problem}`, { retryable: true, status: 200, code: 'invalidResponse' });
  for (const note of parsed.notes) log.warn({ deviceId, operationId: parsed.value.id, note }, 'unexpected operation value');
  return parsed.value;
}

/** True for a software update operation. */
export function isSoftwareUpdate(operation: DeviceOperation): boolean {
  return operation.operationType === 'softwareUpdate';
}

/** The newest queued/scheduled/in-progress softwareUpdate, if any. */
export function findActiveUpdate(operations: readonly DeviceOperation[]): DeviceOperation | undefined {
  return operations
    .filter((o) => isSoftwareUpdate(o) && isOperationActive(o.state))
    .sort((a, b) => (b.createdDateTime ?? '').localeCompare(a.createdDateTime ?? ''))[0];
}

/** The operation id at the end of a Location (…/operations/{id}), if it has that shape. */
export function operationIdFromLocation(location: string): string | undefined {
  const match = /\/operations\/([^/?#]+)\/?(?:[?#].*)?$/.exec(location);
  return match?.[1] === undefined ? undefined : decodeURIComponent(match[1]);
}
