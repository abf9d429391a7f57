// Emits events.k8s.io/v1 Events about custom resources, so `kubectl describe` and
// `kubectl get events` show what the controller did. The same event repeated within
// `seriesWindowMs` updates the first one's series count instead of piling up new objects.
// Recording is best effort: a failure is logged and never fails a reconcile.
import { randomBytes } from 'node:crypto';
import type { Clock } from '../model/clock.ts';
import type { Logger } from '../log/logger.ts';
import type { KubeClient } from './kube-client.ts';
import { isNotFound } from './kube-error.ts';
import { formatMicroTime } from './lease-record.ts';
import { apiVersionOf, events, resourcePath, type KubeObject, type ResourceType } from './resources.ts';
import { changedConditions, eventNoteOf, eventTypeOf } from './condition-changes.ts';

/** One event to record. */
export interface EventSpec {
  type: 'Normal' | 'Warning';
  /** CamelCase, for machines (for example ReconcileFailed, or a condition's reason). */
  reason: string;
  /** What the controller did or was doing (for example Reconcile, UpdateSoftware). */
  action: string;
  /** A sentence for people. */
  note: string;
}

/** Options of a KubeEventRecorder. */
export interface KubeEventRecorderOptions {
  client: KubeClient;
  clock: Clock;
  logger: Logger;
  /** reportingController, for example firmwarden.dev/controller. */
  controller: string;
  /** reportingInstance: this replica (pod name). */
  instance: string;
  /** Repeats within this window become a series. Default 10 minutes. */
  seriesWindowMs?: number;
}

interface SeriesEntry {
  name: string;
  namespace: string;
  count: number;
  firstAt: number;
}

/** Records Events about objects of the given resource types. */
export class KubeEventRecorder {
  readonly #o: KubeEventRecorderOptions;
  readonly #log: Logger;
  readonly #series = new Map<string, SeriesEntry>();

  constructor(options: KubeEventRecorderOptions) {
    this.#o = options;
    this.#log = options.logger.child({ component: 'kube-events' });
  }

  /** Records one event about `regarding`; true when the server took it. */
  async record(type: ResourceType, regarding: KubeObject, spec: EventSpec): Promise<boolean> {
    const { client, clock } = this.#o;
    const now = clock.now();
    const namespace = regarding.metadata.namespace ?? 'default';
    const key = [regarding.metadata.uid ?? `${namespace}/${regarding.metadata.name}`, spec.type, spec.reason, spec.action, spec.note].join('\0');
    this.#pruneSeries(now);
    const seen = this.#series.get(key);
    try {
      if (seen) {
        seen.count++;
        await client.request({
          method: 'PATCH',
          path: resourcePath(events, seen.namespace, seen.name),
          contentType: 'application/merge-patch+json',
          body: { series: { count: seen.count, lastObservedTime: formatMicroTime(now) } },
        });
        return true;
      }
      // Event names are at most 253 characters; the suffix keeps them unique.
      const name = `${regarding.metadata.name.slice(0, 200)}.${now.toString(16)}${randomBytes(3).toString('hex')}`;
      await client.request({
        method: 'POST',
        path: resourcePath(events, namespace),
        body: {
          apiVersion: apiVersionOf(events),
          kind: 'Event',
          metadata: { name, namespace },
          eventTime: formatMicroTime(now),
          reportingController: this.#o.controller,
          reportingInstance: this.#o.instance,
          action: spec.action,
          reason: spec.reason,
          type: spec.type,
          note: spec.note,
          regarding: {
            apiVersion: regarding.apiVersion ?? apiVersionOf(type),
            kind: regarding.kind ?? type.kind,
            namespace,
            name: regarding.metadata.name,
            ...(regarding.metadata.uid ? { uid: regarding.metadata.uid } : {}),
            ...(regarding.metadata.resourceVersion ? { resourceVersion: regarding.metadata.resourceVersion } : {}),
          },
        },
      });
      this.#series.set(key, { name, namespace, count: 1, firstAt: now });
      return true;
    } catch (error) {
      // An event deleted by its TTL starts a new series next time.
      if (seen && isNotFound(error)) this.#series.delete(key);
      this.#log.warn({ err: error, key: `${namespace}/${regarding.metadata.name}`, reason: spec.reason }, 'could not record an event');
      return false;
    }
  }

  /** Records one event per condition whose status or reason changed from `before` to `after`. */
  async recordConditionChanges(type: ResourceType, regarding: KubeObject, beforeStatus: unknown, afterStatus: unknown): Promise<number> {
    let recorded = 0;
    for (const change of changedConditions(beforeStatus, afterStatus)) {
      const ok = await this.record(type, regarding, { type: eventTypeOf(change), reason: change.reason, action: 'Reconcile', note: eventNoteOf(change) });
      if (ok) recorded++;
    }
    return recorded;
  }

  #pruneSeries(now: number): void {
    const window = this.#o.seriesWindowMs ?? 10 * 60_000;
    for (const [key, entry] of this.#series) if (entry.firstAt + window <= now) this.#series.delete(key);
  }
}
