// HTTP failures -> FleetError, classified. Messages carry the status and Graph's error code,
// never a token, a secret or a request body.
import { FleetError } from '../../model/fleet.ts';
import { isRetryableStatus } from './retry-policy.ts';
import { asObject, asOptionalString } from './wire-values.ts';

/** Graph's `error.code` (or the OAuth `error`) from an error body, if any. */
export function readErrorCode(body: unknown): string | undefined {
  const object = asObject(body);
  const error = object?.['error'];
  if (typeof error === 'string') return error;
  return asOptionalString(asObject(error)?.['code']) ?? undefined;
}

function readErrorMessage(body: unknown): string | undefined {
  const error = asObject(asObject(body)?.['error']);
  const message = asOptionalString(error?.['message']);
  return message === null ? undefined : message.slice(0, 300);
}

/** A FleetError for an HTTP response that was not what the call wanted. */
export function fleetErrorFromResponse(
  what: string,
  response: { status: number; body: unknown },
  extra: { retryAfterMs?: number; retryable?: boolean } = {},
): FleetError {
  const code = readErrorCode(response.body);
  const detail = readErrorMessage(response.body);
  const message = `${what}: HTTP ${response.status}${code ? ` ${code}` : ''}${detail ? ` (${detail})` : ''}`;
  return new FleetError(message, {
    retryable: extra.retryable ?? isRetryableStatus(response.status),
    status: response.status,
    ...(code === undefined ? {} : { code }),
    ...(extra.retryAfterMs === undefined ? {} : { retryAfterMs: extra.retryAfterMs }),
  });
}
