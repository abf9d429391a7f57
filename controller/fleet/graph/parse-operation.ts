// teamworkDeviceOperation (wire) -> DeviceOperation (port). `status` is a free string in the
// schema and the docs spell it four ways (Queued/queued, Successful/succeeded, Cancelled, …):
// every documented spelling maps to one internal state; anything else is `unknown`, reported
// in the notes so it gets logged, and never treated as finished.
import type { DeviceOperation, OperationState } from '../../model/fleet.ts';
import type { Parsed } from './parse-device.ts';
import { asObject, asOptionalString, parseTimestamp, unwrapEntity } from './wire-values.ts';

const statusSpellings: Readonly<Record<string, OperationState>> = {
  queued: 'queued',
  scheduled: 'scheduled',
  inprogress: 'inProgress',
  successful: 'succeeded',
  succeeded: 'succeeded',
  cancelled: 'cancelled',
  canceled: 'cancelled',
  failed: 'failed',
};

/** Maps an operation status string, in any case and with or without separators, to the internal set. */
export function mapOperationStatus(raw: unknown): OperationState {
  if (typeof raw !== 'string') return 'unknown';
  return statusSpellings[raw.replace(/[\s_-]/g, '').toLowerCase()] ?? 'unknown';
}

const operationTypes = [
  'deviceRestart', 'configUpdate', 'deviceDiagnostics', 'softwareUpdate', 'deviceManagementAgentConfigUpdate', 'remoteLogin', 'remoteLogout',
];

/** The documented camelCase spelling of a known operation type; unknown types are kept as sent. */
function normalizeOperationType(raw: unknown): string {
  if (typeof raw !== 'string' || raw.length === 0) return 'unknown';
  return operationTypes.find((t) => t.toLowerCase() === raw.toLowerCase()) ?? raw;
}

/** Parses one operation (list item or get response, possibly wrapped in `value`). */
export function parseOperation(deviceId: string, body: unknown): Parsed<DeviceOperation> {
  const object = unwrapEntity(body);
  if (!object) return { ok: false, problem: 'operation is not a JSON object' };
  const id = object['id'];
  if (typeof id !== 'string' || id.trim().length === 0) return { ok: false, problem: 'operation has no id' };
  const rawStatus = typeof object['status'] === 'string' ? object['status'] : '';
  const state = mapOperationStatus(rawStatus);
  const notes = state === 'unknown' ? [`unknown operation status ${JSON.stringify(object['status'] ?? null)}`] : [];
  const error = asObject(object['error']);
  const code = asOptionalString(error?.['code']);
  const message = asOptionalString(error?.['message']);
  const operation: DeviceOperation = {
    id,
    deviceId,
    operationType: normalizeOperationType(object['operationType']),
    state,
    rawStatus,
    createdDateTime: parseTimestamp(object['createdDateTime']),
    startedDateTime: parseTimestamp(object['startedDateTime']),
    completedDateTime: parseTimestamp(object['completedDateTime']),
    // A successful operation in the docs carries {code: null, message: "Unknown"}: that is no error.
    error: error && (code !== null || state === 'failed') ? { code, message } : null,
  };
  return { ok: true, value: operation, notes };
}
