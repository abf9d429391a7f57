// HTTP failures -> FleetError, classified by the answer table (classify-answer.ts). Messages
// carry the status and Graph's error code, never a token, a secret or a request body.
import { FleetError } from '../../model/fleet.ts';
import { classifyAnswer, readErrorCodes, type AnswerClass } from './classify-answer.ts';
import { asObject, asOptionalString } from './wire-values.ts';

/** Graph's `error.code` (or the OAuth `error`) from an error body, if any. */
export function readErrorCode(body: unknown): string | undefined {
  return readErrorCodes(body)[0];
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
    retryable: extra.retryable ?? classifyAnswer({ status: response.status, headers: {}, body: response.body }, 0).retryable,
    status: response.status,
    ...(code === undefined ? {} : { code }),
    ...(extra.retryAfterMs === undefined ? {} : { retryAfterMs: extra.retryAfterMs }),
  });
}

/**
 * The FleetError of a request that gives up on a retryable answer (nextStep's verdict), the
 * same for a single request and a $batch item. `what` names the call ("list devices").
 */
export function giveUpError(
  what: string,
  response: { status: number; body: unknown },
  answer: AnswerClass,
  verdict: { readonly step: 'outcome-unknown' | 'attempts-exhausted' } | { readonly step: 'wait-too-long'; readonly waitMs: number },
): FleetError {
  const retryAfter = answer.retryAfterMs === undefined ? {} : { retryAfterMs: answer.retryAfterMs };
  switch (verdict.step) {
    case 'wait-too-long':
      return new FleetError(`${what}: throttled, retry after ${Math.ceil(verdict.waitMs / 1000)} s`, { retryable: true, status: response.status, code: 'throttled', retryAfterMs: verdict.waitMs });
    case 'outcome-unknown':
      // The caller checks the device's operations before sending again (update-software.ts).
      return new FleetError(`${fleetErrorFromResponse(what, response).message}; the request may have been acted on`, { retryable: true, status: response.status, code: 'outcomeUnknown', ...retryAfter });
    case 'attempts-exhausted':
      return fleetErrorFromResponse(what, response, retryAfter);
  }
}
