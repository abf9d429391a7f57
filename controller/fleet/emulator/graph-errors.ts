// Graph's error envelope: { error: { code, message, innerError: { date, request-id, … } } }.

/** One answer of the Graph surface (direct or inside a $batch). */
export interface GraphAnswer {
  readonly status: number;
  readonly headers: Readonly<Record<string, string>>;
  /** JSON body; absent for empty answers (202). */
  readonly body?: unknown;
  /** What an action did, for the request log. */
  readonly action?: { readonly targetVersion: string | null; readonly fromVersion: string | null; readonly operationId: string | null };
}

/** innerError.date is second-precision UTC without a zone suffix in Graph's answers. */
export function errorDate(now: number): string {
  return new Date(now).toISOString().slice(0, 19);
}

/** A Graph error answer. */
export function graphError(
  status: number,
  code: string,
  message: string,
  ids: { readonly now: number; readonly requestId: string; readonly clientRequestId?: string | undefined },
  headers: Record<string, string> = {},
  innerExtra: Record<string, string> = {},
): GraphAnswer {
  const innerError: Record<string, string> = { ...innerExtra, date: errorDate(ids.now), 'request-id': ids.requestId };
  if (ids.clientRequestId) innerError['client-request-id'] = ids.clientRequestId;
  return { status, headers: { 'Content-Type': 'application/json', ...headers }, body: { error: { code, message, innerError } } };
}

/** The 429 answer, with its whole-second Retry-After. */
export function throttledError(retryAfterSeconds: number, ids: { now: number; requestId: string; clientRequestId?: string | undefined }): GraphAnswer {
  return graphError(429, 'TooManyRequests', 'Please retry again later.', ids, { 'Retry-After': String(retryAfterSeconds) }, {
    code: '429', status: '429', message: 'Please retry after',
  });
}

const serverErrorCodes: Record<number, [string, string]> = {
  500: ['generalException', 'An unexpected error occurred in the service.'],
  502: ['badGateway', 'The service received an invalid answer from an upstream server.'],
  503: ['serviceNotAvailable', 'The service is temporarily unavailable. Retry after the delay in Retry-After.'],
  504: ['gatewayTimeout', 'The upstream service did not answer in time.'],
};

/** An injected 5xx answer (503 with Retry-After when given). */
export function serverError(status: number, retryAfterSeconds: number | undefined, ids: { now: number; requestId: string; clientRequestId?: string | undefined }): GraphAnswer {
  const [code, message] = serverErrorCodes[status] ?? ['UnknownError', 'The service failed.'];
  return graphError(status, code, message, ids, retryAfterSeconds === undefined ? {} : { 'Retry-After': String(retryAfterSeconds) });
}
