// An informer for one resource type: list, then watch from the list's resourceVersion,
// keeping a cache and delivering typed objects to a callback. Built to survive what real
// clusters do to long-lived watches:
// - the server ends every watch after timeoutSeconds: re-watch from the last resourceVersion;
// - 410 Gone (the resourceVersion was compacted away), on start or as an ERROR event: relist,
//   and deliver the difference between the old cache and the new list;
// - a connection that goes silent without closing: an inactivity watchdog aborts it
//   (bookmarks keep healthy watches talking);
// - any other failure: back off exponentially, then try again (a relist after repeated ones);
// - and every resyncMs the whole cache is delivered again, so a missed or mishandled event
//   is healed by the next resync.
import type { Clock } from '../model/clock.ts';
import type { Logger } from '../log/logger.ts';
import type { KubeClient, WatchEvent } from './kube-client.ts';
import { KubeApiError, describeStatus, isGone } from './kube-error.ts';
import { objectKey, resourcePath, type KubeObject, type ResourceType } from './resources.ts';

/** What an informer delivers. `resync` re-delivers a cached object unchanged. */
export interface InformerEvent<T extends KubeObject> {
  type: 'added' | 'modified' | 'deleted' | 'resync';
  object: T;
}

/** Timing and behaviour of an informer; all times in clock milliseconds. */
export interface InformerOptions<T extends KubeObject> {
  client: KubeClient;
  type: ResourceType;
  /** Undefined: all namespaces. */
  namespace?: string | undefined;
  clock: Clock;
  logger: Logger;
  onEvent: (event: InformerEvent<T>) => void;
  /** Called after every (re)list has been applied to the cache. */
  onSynced?: () => void;
  /** Re-deliver the cache this often. Default 10 minutes; 0 disables. */
  resyncMs?: number;
  /** Abort a watch that received nothing for this long. Default 5 minutes. */
  inactivityMs?: number;
  /** Server-side watch timeout in seconds (randomised up to twice this). Default 240. */
  watchTimeoutSeconds?: number;
  /** First back-off after a failure; doubles up to maxBackoffMs. Defaults 1 s and 30 s. */
  initialBackoffMs?: number;
  maxBackoffMs?: number;
  /** Page size of lists. Default 500. */
  pageSize?: number;
  random?: () => number;
}

interface ListResponse<T> {
  metadata?: { resourceVersion?: string; continue?: string };
  items?: T[];
}

/** Counters a test or the metrics endpoint can read. */
export interface InformerStats {
  lists: number;
  watches: number;
  gone: number;
  watchdogAborts: number;
  failures: number;
}

class WatchdogFired extends Error {
  override name = 'WatchdogFired';
}

/** Lists and watches one resource type, with a cache of what it saw. */
export class Informer<T extends KubeObject> {
  readonly stats: InformerStats = { lists: 0, watches: 0, gone: 0, watchdogAborts: 0, failures: 0 };
  readonly #o: InformerOptions<T>;
  readonly #log: Logger;
  readonly #random: () => number;
  #cache = new Map<string, T>();
  #synced = false;

  constructor(options: InformerOptions<T>) {
    this.#o = options;
    this.#random = options.random ?? Math.random;
    this.#log = options.logger.child({ component: 'informer', kind: options.type.kind, namespace: options.namespace ?? '*' });
  }

  /** True once the first list has been applied. */
  get hasSynced(): boolean {
    return this.#synced;
  }

  /** The cached objects, sorted by key. */
  list(): T[] {
    return [...this.#cache.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([, v]) => v);
  }

  /** The cached object with this namespace/name, if any. */
  get(namespace: string | undefined, name: string): T | undefined {
    return this.#cache.get(namespace ? `${namespace}/${name}` : name);
  }

  #deliver(type: InformerEvent<T>['type'], object: T): void {
    try {
      this.#o.onEvent({ type, object });
    } catch (error) {
      this.#log.error({ err: error, key: objectKey(object), event: type }, 'the informer callback failed');
    }
  }

  /** Lists everything (page by page) and replaces the cache; returns the list's resourceVersion. */
  async #relist(signal: AbortSignal): Promise<string> {
    const { client, type, namespace } = this.#o;
    const path = resourcePath(type, namespace);
    const items: T[] = [];
    let resourceVersion = '';
    let token: string | undefined;
    this.stats.lists++;
    do {
      let page: ListResponse<T>;
      try {
        page = await client.request<ListResponse<T>>({ path, query: { limit: this.#o.pageSize ?? 500, continue: token }, signal });
      } catch (error) {
        if (token !== undefined && isGone(error)) {
          // The continue token expired mid-list: start over with one unpaginated list.
          this.#log.info('list continuation expired; listing again in one page');
          items.length = 0;
          page = await client.request<ListResponse<T>>({ path, signal });
          token = undefined;
        } else throw error;
      }
      if (token === undefined) resourceVersion = page.metadata?.resourceVersion ?? '';
      items.push(...(page.items ?? []));
      token = page.metadata?.continue || undefined;
    } while (token !== undefined);

    const apiVersion = type.group ? `${type.group}/${type.version}` : type.version;
    const fresh = new Map<string, T>();
    for (const item of items) {
      // Items in a list come without apiVersion and kind; callers expect whole objects.
      const object = { apiVersion, kind: type.kind, ...item } as T;
      fresh.set(objectKey(object), object);
    }
    const previous = this.#cache;
    this.#cache = fresh;
    for (const [key, object] of fresh) {
      const old = previous.get(key);
      if (!old) this.#deliver('added', object);
      else if (old.metadata.resourceVersion !== object.metadata.resourceVersion) this.#deliver('modified', object);
    }
    for (const [key, object] of previous) if (!fresh.has(key)) this.#deliver('deleted', object);
    this.#synced = true;
    this.#log.debug({ items: fresh.size, resourceVersion }, 'listed');
    try {
      this.#o.onSynced?.();
    } catch (error) {
      this.#log.error({ err: error }, 'the informer onSynced callback failed');
    }
    return resourceVersion;
  }

  /** Applies one watch event; returns the resourceVersion to continue from. */
  #apply(event: WatchEvent, resourceVersion: string): string {
    const object = event.object as T;
    switch (event.type) {
      case 'ADDED':
      case 'MODIFIED': {
        const key = objectKey(object);
        const old = this.#cache.get(key);
        this.#cache.set(key, object);
        if (!old) this.#deliver('added', object);
        else if (old.metadata.resourceVersion !== object.metadata.resourceVersion) this.#deliver('modified', object);
        break;
      }
      case 'DELETED': {
        const key = objectKey(object);
        this.#cache.delete(key);
        this.#deliver('deleted', object);
        break;
      }
      case 'BOOKMARK':
        break;
      case 'ERROR': {
        const status = event.object as { code?: number } | undefined;
        const { reason, message } = describeStatus(event.object, 'watch error');
        throw new KubeApiError('WATCH', resourcePath(this.#o.type, this.#o.namespace), status?.code ?? 500, reason, message);
      }
      default:
        this.#log.warn({ type: (event as { type?: unknown }).type }, 'unknown watch event type; ignored');
        return resourceVersion;
    }
    return object?.metadata?.resourceVersion || resourceVersion;
  }

  /** Watches from `resourceVersion` until the server ends the stream; returns where to continue. */
  async #watch(resourceVersion: string, signal: AbortSignal): Promise<string> {
    const { client, type, namespace, clock } = this.#o;
    const inactivityMs = this.#o.inactivityMs ?? 5 * 60_000;
    const base = this.#o.watchTimeoutSeconds ?? 240;
    const timeoutSeconds = Math.round(base * (1 + this.#random()));
    const watchAbort = new AbortController();
    const onOuterAbort = () => watchAbort.abort(signal.reason);
    signal.addEventListener('abort', onOuterAbort, { once: true });
    let lastActivity = clock.now();
    let fired = false;
    const watchdog = (async () => {
      const step = Math.max(1, Math.min(inactivityMs / 4, 30_000));
      while (!watchAbort.signal.aborted) {
        await clock.sleep(step, watchAbort.signal).catch(() => undefined);
        if (!watchAbort.signal.aborted && clock.now() - lastActivity >= inactivityMs) {
          fired = true;
          watchAbort.abort(new WatchdogFired('watch inactive'));
        }
      }
    })();
    this.stats.watches++;
    let rv = resourceVersion;
    try {
      const stream = client.watch({
        path: resourcePath(type, namespace),
        query: { watch: 1, resourceVersion: rv, allowWatchBookmarks: true, timeoutSeconds },
        signal: watchAbort.signal,
        onActivity: () => (lastActivity = clock.now()),
      });
      for await (const event of stream) rv = this.#apply(event, rv);
      if (fired) throw new WatchdogFired(`no data on the watch for ${inactivityMs} ms`);
      return rv;
    } finally {
      signal.removeEventListener('abort', onOuterAbort);
      watchAbort.abort(new Error('watch ended'));
      await watchdog;
    }
  }

  async #resyncLoop(signal: AbortSignal): Promise<void> {
    const resyncMs = this.#o.resyncMs ?? 10 * 60_000;
    if (resyncMs <= 0) return;
    while (!signal.aborted) {
      await this.#o.clock.sleep(resyncMs, signal).catch(() => undefined);
      if (signal.aborted || !this.#synced) continue;
      for (const object of this.list()) this.#deliver('resync', object);
    }
  }

  /** Runs until `signal` aborts; never throws for API or network failures. */
  async run(signal: AbortSignal): Promise<void> {
    const { clock } = this.#o;
    const initialBackoff = this.#o.initialBackoffMs ?? 1_000;
    const maxBackoff = this.#o.maxBackoffMs ?? 30_000;
    let backoff = initialBackoff;
    const resync = this.#resyncLoop(signal);
    const pause = async () => {
      this.stats.failures++;
      const ms = Math.min(maxBackoff, backoff) * (0.8 + 0.4 * this.#random());
      backoff = Math.min(maxBackoff, backoff * 2);
      await clock.sleep(ms, signal).catch(() => undefined);
    };
    try {
      while (!signal.aborted) {
        let rv: string;
        try {
          rv = await this.#relist(signal);
        } catch (error) {
          if (signal.aborted) break;
          this.#log.warn({ err: error }, 'list failed; backing off');
          await pause();
          continue;
        }
        let failuresInRow = 0;
        while (!signal.aborted) {
          try {
            const startedAt = clock.now();
            const next = await this.#watch(rv, signal);
            // A clean end (the server's timeoutSeconds) is normal: continue from where it ended.
            // One that ended at once without news is treated as a failure, or a proxy that
            // closes every watch immediately would have us spin.
            if (next === rv && clock.now() - startedAt < 500) {
              if (!signal.aborted) await pause();
              continue;
            }
            backoff = initialBackoff;
            rv = next;
            failuresInRow = 0;
          } catch (error) {
            if (signal.aborted) break;
            if (isGone(error)) {
              this.stats.gone++;
              this.#log.info({ resourceVersion: rv }, 'resourceVersion expired (410 Gone); relisting');
              break;
            }
            if (error instanceof WatchdogFired) {
              this.stats.watchdogAborts++;
              this.#log.warn({ resourceVersion: rv }, 'watch went silent; reconnecting');
            } else {
              this.#log.warn({ err: error, resourceVersion: rv }, 'watch failed; backing off');
            }
            await pause();
            // Several failures in a row: something is off with our position; start afresh.
            if (++failuresInRow >= 3) break;
          }
        }
      }
    } finally {
      await resync;
    }
  }
}
