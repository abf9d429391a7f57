// Failures talking to the Kubernetes API server, classified the way callers branch on them:
// a conflict means "re-read and retry", gone means "relist", not found and forbidden are
// final, the rest are transient. Messages carry the server's Status message, never tokens.

/** The server answered with a non-success status. */
export class KubeApiError extends Error {
  override name = 'KubeApiError';
  readonly status: number;
  /** The Status object's reason (Conflict, Expired, NotFound, Forbidden, Invalid, …) when there was one. */
  readonly reason: string;
  readonly method: string;
  readonly path: string;
  constructor(method: string, path: string, status: number, reason: string, message: string, options?: ErrorOptions) {
    super(`${method} ${path}: ${status}${reason ? ` ${reason}` : ''}: ${message}`, options);
    this.status = status;
    this.reason = reason;
    this.method = method;
    this.path = path;
  }
}

/** The request never got an answer (connection refused, reset, timed out, aborted). */
export class KubeTransportError extends Error {
  override name = 'KubeTransportError';
}

/** True when the object changed since it was read (HTTP 409 Conflict on update). */
export function isConflict(error: unknown): boolean {
  return error instanceof KubeApiError && error.status === 409 && error.reason !== 'AlreadyExists';
}

/** True when the object already exists (HTTP 409 AlreadyExists on create). */
export function isAlreadyExists(error: unknown): boolean {
  return error instanceof KubeApiError && error.status === 409 && error.reason === 'AlreadyExists';
}

/** True when the object does not exist. */
export function isNotFound(error: unknown): boolean {
  return error instanceof KubeApiError && error.status === 404;
}

/** True when a resourceVersion is too old to watch from (HTTP 410 Gone / reason Expired). */
export function isGone(error: unknown): boolean {
  return error instanceof KubeApiError && (error.status === 410 || error.reason === 'Expired' || error.reason === 'Gone');
}

/** Reads a Kubernetes Status body (or anything else) into a reason and a message. */
export function describeStatus(body: unknown, fallback: string): { reason: string; message: string } {
  if (body && typeof body === 'object') {
    const s = body as { reason?: unknown; message?: unknown };
    return {
      reason: typeof s.reason === 'string' ? s.reason : '',
      message: typeof s.message === 'string' && s.message ? s.message : fallback,
    };
  }
  return { reason: '', message: fallback };
}
