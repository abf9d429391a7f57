// Desired state from the Kubernetes API: the three kinds as custom resources, watched with
// informers, handed to the reconcile loop as the same Snapshot of YAML "files" a Git source
// gives (one file per object, `<namespace>/<plural>/<name>.yaml`), and statuses written back
// through the status subresource with an Event per condition change.
// The revision covers what people wrote (uid and generation of every object), not status: the
// controller's own status writes change no revision and wake nobody up.
import { createHash } from 'node:crypto';
import { isDeepStrictEqual } from 'node:util';
import { stringify } from 'yaml';
import type { Clock } from '../model/clock.ts';
import type { Logger } from '../log/logger.ts';
import type {
  ChangeReason,
  DesiredStateSource,
  Snapshot,
  SourceFile,
  StatusUpdate,
  StatusWriteRequest,
  StatusWriteResult,
  StatusWriter,
  SourceMetrics,
} from '../model/source.ts';
import { SourceError, SourceFailureReasons, notifySubscribers } from '../model/source.ts';
import type { KubeClient } from './kube-client.ts';
import { Informer, type InformerEvent, type InformerOptions } from './informer.ts';
import { KubeStatusWriter } from './status-writer.ts';
import type { KubeEventRecorder } from './event-recorder.ts';
import { firmwardenResources, type KubeObject, type ResourceType } from './resources.ts';

/** Options of a KubeSource. */
export interface KubeSourceOptions {
  client: KubeClient;
  /** Watch one namespace; undefined watches all. */
  namespace?: string | undefined;
  clock: Clock;
  logger: Logger;
  /** Events on condition changes; omitted: none. */
  events?: KubeEventRecorder | undefined;
  /** How long sync() waits for the first list of every kind (real ms). Default 30 s. */
  syncTimeoutMs?: number;
  /** Passed to the informers (resync, watchdog, back-off). */
  informer?: Partial<Pick<InformerOptions<KubeObject>, 'resyncMs' | 'inactivityMs' | 'watchTimeoutSeconds' | 'initialBackoffMs' | 'maxBackoffMs'>>;
  /** Status fields whose change alone is not written. Default: lastTransitionTime. */
  volatileKeys?: ReadonlySet<string>;
  /** Counts each writeStatus call (written, unchanged or error); omitted: not counted. */
  metrics?: Pick<SourceMetrics, 'countStatusWrite'> | undefined;
}

// Set by the server or by kubectl: noise in a manifest as people read it.
const droppedAnnotations = new Set(['kubectl.kubernetes.io/last-applied-configuration']);

/** The file path an object appears under in snapshots. */
export function kubeObjectPath(type: ResourceType, obj: KubeObject): string {
  return `${obj.metadata.namespace ?? '_cluster'}/${type.plural}/${obj.metadata.name}.yaml`;
}

/** The manifest text of an object: apiVersion, kind, the metadata people care about, spec and status. */
export function kubeObjectText(type: ResourceType, obj: KubeObject): string {
  const annotations = Object.fromEntries(Object.entries(obj.metadata.annotations ?? {}).filter(([k]) => !droppedAnnotations.has(k)));
  const metadata: Record<string, unknown> = { name: obj.metadata.name };
  if (obj.metadata.namespace) metadata.namespace = obj.metadata.namespace;
  if (obj.metadata.labels && Object.keys(obj.metadata.labels).length > 0) metadata.labels = obj.metadata.labels;
  if (Object.keys(annotations).length > 0) metadata.annotations = annotations;
  if (obj.metadata.generation !== undefined) metadata.generation = obj.metadata.generation;
  if (obj.metadata.uid) metadata.uid = obj.metadata.uid;
  const doc: Record<string, unknown> = { apiVersion: obj.apiVersion ?? `${type.group}/${type.version}`, kind: obj.kind ?? type.kind, metadata, spec: obj.spec ?? {} };
  if (obj.status !== undefined) doc.status = obj.status;
  return stringify(doc);
}

function stripVolatile(value: unknown, keys: ReadonlySet<string>): unknown {
  if (Array.isArray(value)) return value.map((v) => stripVolatile(v, keys));
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value as Record<string, unknown>).filter(([k]) => !keys.has(k)).map(([k, v]) => [k, stripVolatile(v, keys)]));
  }
  return value;
}

/** Watches the three kinds and serves them to the reconcile loop; writes their status. */
export class KubeSource implements DesiredStateSource, StatusWriter {
  readonly #o: KubeSourceOptions;
  readonly #log: Logger;
  readonly #informers: { type: ResourceType; informer: Informer<KubeObject> }[];
  readonly #writer: KubeStatusWriter;
  readonly #subscribers = new Set<(reason: ChangeReason) => void>();
  readonly #stop = new AbortController();
  readonly #runs: Promise<void>[];
  #last: Snapshot | undefined;
  #lastSpecHash: string | undefined;
  /** Generation of every object in the last snapshot, by path. */
  #generations = new Map<string, number | undefined>();
  #closed = false;

  constructor(options: KubeSourceOptions) {
    this.#o = options;
    this.#log = options.logger.child({ component: 'kube-source' });
    this.#writer = new KubeStatusWriter({ client: options.client, clock: options.clock, logger: options.logger });
    this.#informers = firmwardenResources.map((type) => ({
      type,
      informer: new Informer<KubeObject>({
        client: options.client,
        type,
        namespace: options.namespace,
        clock: options.clock,
        logger: options.logger,
        ...options.informer,
        onEvent: (event) => this.#onEvent(type, event),
      }),
    }));
    this.#runs = this.#informers.map(({ informer }) => informer.run(this.#stop.signal));
  }

  /** True once every kind has been listed. */
  get hasSynced(): boolean {
    return this.#informers.every(({ informer }) => informer.hasSynced);
  }

  get lastSnapshot(): Snapshot | undefined {
    return this.#last;
  }

  #onEvent(type: ResourceType, event: InformerEvent<KubeObject>): void {
    if (event.type === 'resync') return;
    // Status-only updates (our own writes among them) keep the generation: not worth a reconcile.
    if (event.type === 'modified' && this.#generations.get(kubeObjectPath(type, event.object)) === event.object.metadata.generation) return;
    this.requestSync('watch');
  }

  async #waitForSync(): Promise<void> {
    const deadline = Date.now() + (this.#o.syncTimeoutMs ?? 30_000);
    while (!this.hasSynced) {
      if (this.#closed) throw new SourceError(SourceFailureReasons.unavailable, 'the Kubernetes source is closed', { retryable: false, lastSnapshot: this.#last });
      if (Date.now() > deadline) {
        const missing = this.#informers.filter(({ informer }) => !informer.hasSynced).map(({ type }) => type.plural);
        throw new SourceError(SourceFailureReasons.unavailable, `cannot list ${missing.join(', ')} from the Kubernetes API (are the CRDs installed and may the controller list them?)`, {
          retryable: true,
          lastSnapshot: this.#last,
        });
      }
      await new Promise((r) => setTimeout(r, 50));
    }
  }

  #objects(): { type: ResourceType; object: KubeObject; path: string }[] {
    return this.#informers
      .flatMap(({ type, informer }) => informer.list().map((object) => ({ type, object, path: kubeObjectPath(type, object) })))
      .sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  }

  async sync(): Promise<Snapshot> {
    await this.#waitForSync();
    const objects = this.#objects();
    const files: SourceFile[] = objects.map(({ type, object, path }) => ({ path, text: kubeObjectText(type, object) }));
    const specHash = createHash('sha256');
    for (const { path, object } of objects) specHash.update(path).update('\0').update(object.metadata.uid ?? '').update('\0').update(String(object.metadata.generation ?? 0)).update('\0');
    const revision = `kube:${specHash.digest('hex').slice(0, 16)}`;
    const changed = revision !== this.#lastSpecHash;
    this.#lastSpecHash = revision;
    this.#generations = new Map(objects.map(({ path, object }) => [path, object.metadata.generation]));
    this.#last = { revision, files, omitted: [], changed, specChanged: changed };
    return this.#last;
  }

  #locate(update: StatusUpdate): { type: ResourceType; namespace: string; name: string } | undefined {
    if (update.key) {
      const type = firmwardenResources.find((t) => t.kind === update.key!.kind);
      if (type && update.key.namespace) return { type, namespace: update.key.namespace, name: update.key.name };
    }
    const m = /^([^/]+)\/([^/]+)\/([^/]+)\.yaml$/.exec(update.path);
    const type = m && firmwardenResources.find((t) => t.plural === m[2]);
    return m && type ? { type, namespace: m[1]!, name: m[3]! } : undefined;
  }

  async writeStatus(request: StatusWriteRequest, signal?: AbortSignal): Promise<StatusWriteResult> {
    const updates = typeof request.statuses === 'function' ? await request.statuses(await this.sync()) : request.statuses;
    const volatile = this.#o.volatileKeys ?? new Set(['lastTransitionTime']);
    const files: string[] = [];
    const skipped: { path: string; docIndex: number; reason: string }[] = [];
    let attempts = 0;
    for (const update of updates) {
      const target = this.#locate(update);
      if (!target) {
        skipped.push({ path: update.path, docIndex: update.docIndex, reason: 'not a Kubernetes object path' });
        continue;
      }
      try {
        const outcome = await this.#writer.writeStatus(
          target.type,
          target.namespace,
          target.name,
          (current) => (isDeepStrictEqual(stripVolatile(update.status, volatile), stripVolatile(current.status, volatile)) ? undefined : update.status),
          signal,
        );
        attempts += outcome.attempts;
        if (outcome.result === 'gone') skipped.push({ path: update.path, docIndex: update.docIndex, reason: 'the object was deleted' });
        if (outcome.result !== 'written') continue;
        files.push(update.path);
        await this.#o.events?.recordConditionChanges(target.type, outcome.after!, outcome.before?.status, outcome.after!.status);
      } catch (error) {
        if (signal?.aborted) throw error;
        this.#o.metrics?.countStatusWrite('error');
        throw new SourceError(SourceFailureReasons.statusWriteFailed, `cannot write the status of ${target.type.kind} ${target.namespace}/${target.name}: ${(error as Error).message}`, {
          retryable: true,
          cause: error,
          lastSnapshot: this.#last,
        });
      }
    }
    this.#log.debug({ written: files.length, skipped: skipped.length }, 'statuses written');
    this.#o.metrics?.countStatusWrite(files.length > 0 ? 'written' : 'unchanged');
    return { written: files.length > 0, revision: this.#last?.revision ?? request.revision, files, skipped, attempts };
  }

  subscribe(onChange: (reason: ChangeReason) => void): () => void {
    this.#subscribers.add(onChange);
    return () => this.#subscribers.delete(onChange);
  }

  requestSync(reason: ChangeReason): void {
    notifySubscribers(this.#subscribers, reason, this.#log);
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    this.#stop.abort();
    await Promise.all(this.#runs);
  }
}
