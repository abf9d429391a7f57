// Writes a custom resource's status through its status subresource. The server ignores
// everything but .status on /status, so a status write can never change what people wrote
// in .spec; and every write names the resourceVersion it was computed from, so a write over
// a newer object fails with 409 Conflict. Then we re-read, recompute and retry, a few times.
import { isDeepStrictEqual } from 'node:util';
import type { Clock } from '../model/clock.ts';
import type { Logger } from '../log/logger.ts';
import type { KubeClient } from './kube-client.ts';
import { isConflict, isNotFound } from './kube-error.ts';
import { resourcePath, type KubeObject, type ResourceType } from './resources.ts';

/** Computes the new status from the object as it is now; undefined leaves it alone. */
export type ComputeStatus<T extends KubeObject> = (current: T) => unknown | Promise<unknown>;

/** What one status write did. */
export interface StatusWriteOutcome<T extends KubeObject> {
  /** 'written': the server took it; 'unchanged': nothing to write; 'gone': the object was deleted. */
  result: 'written' | 'unchanged' | 'gone';
  /** The object before the write (as last read), when it exists. */
  before: T | undefined;
  /** The object after the write (as the server returned it), when it exists. */
  after: T | undefined;
  /** Writes attempted (0 when nothing was written). */
  attempts: number;
}

/** Raised when the status could not be written after the allowed conflicts. */
export class StatusConflictError extends Error {
  override name = 'StatusConflictError';
}

/** Options of a KubeStatusWriter. */
export interface KubeStatusWriterOptions {
  client: KubeClient;
  logger: Logger;
  clock: Clock;
  /** Attempts before giving up on repeated conflicts. Default 5. */
  maxAttempts?: number;
  /** Pause between attempts (clock ms), doubled each time. Default 50. */
  retryDelayMs?: number;
}

/** Writes statuses of custom resources with conflict handling. */
export class KubeStatusWriter {
  readonly #o: KubeStatusWriterOptions;
  readonly #log: Logger;

  constructor(options: KubeStatusWriterOptions) {
    this.#o = options;
    this.#log = options.logger.child({ component: 'kube-status' });
  }

  /**
   * Reads the object, computes its status with `compute`, and writes it to /status when it
   * differs. On a conflict, reads again and recomputes from the fresh object.
   */
  async writeStatus<T extends KubeObject>(type: ResourceType, namespace: string, name: string, compute: ComputeStatus<T>, signal?: AbortSignal): Promise<StatusWriteOutcome<T>> {
    const { client, clock } = this.#o;
    const maxAttempts = this.#o.maxAttempts ?? 5;
    let delay = this.#o.retryDelayMs ?? 50;
    const path = resourcePath(type, namespace, name);
    for (let attempt = 1; ; attempt++) {
      let current: T;
      try {
        current = await client.request<T>({ path, signal });
      } catch (error) {
        if (isNotFound(error)) return { result: 'gone', before: undefined, after: undefined, attempts: attempt - 1 };
        throw error;
      }
      const status = await compute(current);
      if (status === undefined || isDeepStrictEqual(status, current.status)) {
        return { result: 'unchanged', before: current, after: current, attempts: attempt - 1 };
      }
      try {
        // The body's resourceVersion is what makes this write conditional.
        const after = await client.request<T>({ method: 'PUT', path: `${path}/status`, body: { ...current, status }, signal });
        return { result: 'written', before: current, after, attempts: attempt };
      } catch (error) {
        if (isNotFound(error)) return { result: 'gone', before: current, after: undefined, attempts: attempt };
        if (!isConflict(error)) throw error;
        if (attempt >= maxAttempts) {
          throw new StatusConflictError(`status of ${type.kind} ${namespace}/${name} kept changing under us (${attempt} conflicts)`, { cause: error });
        }
        this.#log.debug({ kind: type.kind, key: `${namespace}/${name}`, attempt }, 'status write conflicted; re-reading');
        await clock.sleep(delay, signal);
        delay *= 2;
      }
    }
  }
}
