// updateSoftware, safely. The one rule: never a second POST for an update that is queued or
// running. So:
//  - 202 + Location: the operation is read from the Location (relative or absolute);
//  - 409: the device's operations are listed and the active softwareUpdate is ADOPTED; when
//    none is active the call fails retryably instead of posting again;
//  - a POST whose answer was lost (timeout, dropped connection, 5xx): the device's
//    operations are read first; an active softwareUpdate is adopted, and only when there is
//    none is the POST sent once more.
import type { DeviceOperation, UpdateRequest, UpdateStarted } from '../../model/fleet.ts';
import { FleetError } from '../../model/fleet.ts';
import type { Logger } from '../../log/logger.ts';
import type { GraphHttp, GraphResponse } from './graph-http.ts';
import { fleetErrorFromResponse } from './graph-error.ts';
import { segment, toVersionRelative } from './graph-urls.ts';
import { runBatch, type BatchItem, type BatchResult } from './batch.ts';
import { readPage } from './paging.ts';
import {
  findActiveUpdate, getOperationAt, listOperations, operationIdFromLocation, operationsUrl, parseOperationResponse, parseOperations,
} from './operations.ts';
import { classifyAnswer } from './classify-answer.ts';

/** How many times a POST may be sent when its earlier answers were lost (operations checked in between). */
const maxSends = 2;

function updatePath(deviceId: string): string {
  return `/teamwork/devices/${segment(deviceId)}/updateSoftware`;
}

function updateBody(request: UpdateRequest): { softwareType: string; softwareVersion: string } {
  return { softwareType: request.softwareType, softwareVersion: request.version };
}

/** What the operation is known to be when the Location could not be read: accepted, so queued. */
function acceptedOperation(deviceId: string, operationId: string): DeviceOperation {
  return {
    id: operationId, deviceId, operationType: 'softwareUpdate', state: 'queued', rawStatus: '',
    createdDateTime: null, startedDateTime: null, completedDateTime: null, error: null,
  };
}

type Interpretation =
  | { readonly kind: 'accepted'; readonly location: string | undefined }
  | { readonly kind: 'conflict' }
  | { readonly kind: 'unknown'; readonly why: string }
  | { readonly kind: 'failed'; readonly error: FleetError };

/** Classifies the answer to one updateSoftware POST. */
function interpret(result: BatchResult | GraphResponse): Interpretation {
  if ('kind' in result && result.kind === 'error') {
    return result.error.code === 'outcomeUnknown' ? { kind: 'unknown', why: result.error.message } : { kind: 'failed', error: result.error };
  }
  const response = result as GraphResponse;
  if (response.status === 202 || response.status === 200 || response.status === 201) return { kind: 'accepted', location: response.headers['location'] };
  if (response.status === 409) return { kind: 'conflict' };
  // `now` only dates a Retry-After, which is not read here.
  if (classifyAnswer(response, 0).retryable) return { kind: 'unknown', why: `HTTP ${response.status}` };
  return { kind: 'failed', error: fleetErrorFromResponse('start update', response) };
}

function conflictError(deviceId: string, operations: readonly DeviceOperation[]): FleetError {
  const other = operations.find((o) => o.state === 'queued' || o.state === 'scheduled' || o.state === 'inProgress');
  return other
    ? new FleetError(`start update: device ${deviceId} is busy with a ${other.operationType} operation`, { retryable: true, status: 409, code: 'deviceBusy' })
    : new FleetError(`start update: 409 but no active softwareUpdate on device ${deviceId}; not posting again now`, { retryable: true, status: 409, code: 'conflict' });
}

/** Starts one update with direct requests (see the file comment for the rules). */
export async function startUpdate(http: GraphHttp, log: Logger, request: UpdateRequest, signal?: AbortSignal): Promise<UpdateStarted> {
  const deviceLog = log.child({ deviceId: request.deviceId, softwareType: request.softwareType });
  for (let send = 1; send <= maxSends; send++) {
    let outcome: Interpretation;
    try {
      const response = await http.send({ method: 'POST', url: updatePath(request.deviceId), body: updateBody(request), idempotent: false, what: 'start update' }, signal);
      outcome = interpret(response);
    } catch (error) {
      if (!(error instanceof FleetError) || error.code !== 'outcomeUnknown') throw error;
      outcome = { kind: 'unknown', why: error.message };
    }
    switch (outcome.kind) {
      case 'failed':
        throw outcome.error;
      case 'accepted':
        return { outcome: 'started', operation: await readAccepted(http, deviceLog, request.deviceId, outcome.location, signal) };
      case 'conflict': {
        const operations = await listOperations(http, deviceLog, request.deviceId, signal);
        const active = findActiveUpdate(operations);
        if (active) {
          deviceLog.info({ operationId: active.id, state: active.state }, 'update already queued, adopted');
          return { outcome: 'adopted', operation: active };
        }
        throw conflictError(request.deviceId, operations);
      }
      case 'unknown': {
        const active = findActiveUpdate(await listOperations(http, deviceLog, request.deviceId, signal));
        if (active) {
          deviceLog.info({ operationId: active.id, state: active.state }, 'update answer lost, active operation adopted');
          return { outcome: 'adopted', operation: active };
        }
        deviceLog.warn({ send, why: outcome.why }, 'update answer lost and no active operation found');
      }
    }
  }
  throw new FleetError(`start update: no answer from the service for device ${request.deviceId}`, { retryable: true, code: 'outcomeUnknown' });
}

async function readAccepted(http: GraphHttp, log: Logger, deviceId: string, location: string | undefined, signal?: AbortSignal): Promise<DeviceOperation> {
  if (location === undefined) {
    const active = findActiveUpdate(await listOperations(http, log, deviceId, signal));
    if (active) return active;
    throw new FleetError('start update: 202 without Location and no active operation listed', { retryable: true, status: 202, code: 'invalidResponse' });
  }
  // A Location naming the operation is enough: the service just accepted it, so it is queued, and
  // following it reads its state anyway. Reading it here cost one request per update (issue 17).
  const named = operationIdFromLocation(location);
  if (named !== undefined) return acceptedOperation(deviceId, named);
  try {
    return await getOperationAt(http, log, deviceId, location, signal);
  } catch (error) {
    const operationId = operationIdFromLocation(location);
    if (operationId === undefined || signal?.aborted) throw error;
    // The update was accepted: reading it failed, but it exists. Report it as queued.
    log.warn({ operationId, err: (error as Error).message }, 'accepted operation not readable yet');
    return acceptedOperation(deviceId, operationId);
  }
}

/**
 * Starts many updates through $batch (20 per request). Results are in request order; a device
 * may appear only once per call (two updates of one device cannot run together).
 */
export async function startUpdates(http: GraphHttp, log: Logger, requests: readonly UpdateRequest[], signal?: AbortSignal): Promise<(UpdateStarted | FleetError)[]> {
  const results: (UpdateStarted | FleetError | undefined)[] = requests.map(() => undefined);
  const seen = new Set<string>();
  let pending: number[] = [];
  requests.forEach((r, i) => {
    if (seen.has(r.deviceId)) results[i] = new FleetError(`start update: device ${r.deviceId} appears twice in one call`, { retryable: false, code: 'duplicateDevice' });
    else pending.push(i);
    seen.add(r.deviceId);
  });
  for (let send = 1; send <= maxSends && pending.length > 0; send++) {
    const items: BatchItem[] = pending.map((i) => {
      const r = requests[i] as UpdateRequest;
      return { key: String(i), method: 'POST', path: updatePath(r.deviceId), body: updateBody(r) };
    });
    const answers = await runBatch(http, items, { signal, what: 'start update' });
    const accepted: { index: number; location: string | undefined }[] = [];
    const toCheck: { index: number; kind: 'conflict' | 'unknown' }[] = [];
    for (const index of pending) {
      const outcome = interpret(answers.get(String(index)) as BatchResult);
      if (outcome.kind === 'failed') results[index] = outcome.error;
      else if (outcome.kind === 'accepted') accepted.push({ index, location: outcome.location });
      else toCheck.push({ index, kind: outcome.kind });
    }
    await readAcceptedMany(http, log, requests, accepted, results, signal);
    pending = [];
    const listed = await listOperationsMany(http, log, toCheck.map((c) => (requests[c.index] as UpdateRequest).deviceId), signal);
    for (const { index, kind } of toCheck) {
      const deviceId = (requests[index] as UpdateRequest).deviceId;
      const operations = listed.get(deviceId);
      if (operations instanceof FleetError) {
        results[index] = operations;
        continue;
      }
      const active = findActiveUpdate(operations ?? []);
      if (active) results[index] = { outcome: 'adopted', operation: active };
      else if (kind === 'conflict') results[index] = conflictError(deviceId, operations ?? []);
      else pending.push(index);
    }
  }
  for (const index of pending) {
    results[index] = new FleetError(`start update: no answer from the service for device ${(requests[index] as UpdateRequest).deviceId}`, { retryable: true, code: 'outcomeUnknown' });
  }
  return results as (UpdateStarted | FleetError)[];
}

async function readAcceptedMany(
  http: GraphHttp, log: Logger, requests: readonly UpdateRequest[], accepted: readonly { index: number; location: string | undefined }[],
  results: (UpdateStarted | FleetError | undefined)[], signal?: AbortSignal,
): Promise<void> {
  // Only a Location that names no operation id is read (readAccepted says why).
  const withLocation = accepted.filter((a) => a.location !== undefined && operationIdFromLocation(a.location) === undefined);
  const answers = await runBatch(
    http,
    withLocation.map((a) => ({ key: String(a.index), method: 'GET', path: toVersionRelative(http.baseUrl, a.location as string) })),
    { signal, what: 'get operation' },
  );
  for (const { index, location } of accepted) {
    const deviceId = (requests[index] as UpdateRequest).deviceId;
    const answer = answers.get(String(index));
    try {
      if (answer?.kind === 'response' && answer.status === 200) {
        results[index] = { outcome: 'started', operation: parseOperationResponse(deviceId, answer.body, log) };
        continue;
      }
      results[index] = { outcome: 'started', operation: await readAccepted(http, log, deviceId, location, signal) };
    } catch (error) {
      results[index] = error instanceof FleetError ? error : new FleetError(`start update: ${(error as Error).message}`, { retryable: true, cause: error });
    }
  }
}

/** Operations of many devices: first pages through $batch, further pages directly. */
export async function listOperationsMany(http: GraphHttp, log: Logger, deviceIds: readonly string[], signal?: AbortSignal): Promise<Map<string, DeviceOperation[] | FleetError>> {
  const out = new Map<string, DeviceOperation[] | FleetError>();
  const unique = [...new Set(deviceIds)];
  const answers = await runBatch(http, unique.map((id) => ({ key: id, method: 'GET', path: operationsUrl(id) })), { signal, what: 'list operations' });
  for (const deviceId of unique) {
    const answer = answers.get(deviceId);
    if (!answer || answer.kind === 'error') {
      out.set(deviceId, answer?.error ?? new FleetError('list operations: no answer', { retryable: true }));
      continue;
    }
    const page = answer.status === 200 ? readPage(answer.body) : undefined;
    if (!page) {
      out.set(deviceId, answer.status === 200 ? new FleetError('list operations: response is not a collection', { retryable: true, code: 'invalidResponse' }) : fleetErrorFromResponse('list operations', answer));
      continue;
    }
    if (page.nextLink === undefined) {
      out.set(deviceId, parseOperations(deviceId, page.items, log));
      continue;
    }
    try {
      out.set(deviceId, await listOperations(http, log, deviceId, signal));
    } catch (error) {
      out.set(deviceId, error instanceof FleetError ? error : new FleetError(`list operations: ${(error as Error).message}`, { retryable: true, cause: error }));
    }
  }
  return out;
}
