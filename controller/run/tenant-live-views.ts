// The live view with Tenants: one LiveViewFeed per tenant, made the first time someone asks for
// that tenant's view (the default tenant, the first by namespace, has one from the start). Why
// not one feed for every tenant served: a feed keeps its tenant's last evaluation, plan included
// (~7 MB at 10k devices), so memory would grow with every tenant served rather than with the
// tenants people look at. The cost: a tenant nobody has looked at yet shows "waiting" until its
// next reconcile. Feeds of tenants this replica no longer serves (moved to another shard) close.
import type { Logger } from '../log/logger.ts';
import type { LiveViewSource, LiveViewTenant, LiveViewTenants } from '../server/live-view-http.ts';
import { LiveViewFeed, type LiveEvaluation, type LiveViewFeedOptions } from './live-view-feed.ts';

/** The live views of the tenants this replica serves; the tenant worlds publish into it. */
export class TenantLiveViews implements LiveViewTenants {
  readonly #logger: Logger;
  readonly #options: LiveViewFeedOptions;
  readonly #served: () => readonly LiveViewTenant[];
  readonly #feeds = new Map<string, LiveViewFeed>();
  #closed = false;

  /** `served` lists the tenants held now (TenantPass.tenants). */
  constructor(logger: Logger, options: LiveViewFeedOptions, served: () => readonly LiveViewTenant[]) {
    this.#logger = logger;
    this.#options = options;
    this.#served = served;
  }

  /** The tenants served now, by namespace. */
  list(): LiveViewTenant[] {
    return [...this.#served()].sort((a, b) => (a.namespace < b.namespace ? -1 : a.namespace > b.namespace ? 1 : 0));
  }

  /** The view of `namespace` (default: the first), or undefined when this replica does not serve it. */
  source(namespace: string | undefined): LiveViewSource | undefined {
    const known = this.list();
    this.#forgetOthers(known);
    const ns = namespace ?? known[0]?.namespace;
    if (ns === undefined || !known.some((t) => t.namespace === ns)) return undefined;
    return this.#feed(ns);
  }

  /** A tenant's reconcile ended with this evaluation: kept only when its view has a feed (or it is the default). */
  evaluated(namespace: string, evaluation: LiveEvaluation): void {
    const feed = this.#feeds.get(namespace) ?? (namespace === this.list()[0]?.namespace ? this.#feed(namespace) : undefined);
    feed?.publish(evaluation);
  }

  /** Stops every feed. */
  async close(): Promise<void> {
    this.#closed = true;
    const feeds = [...this.#feeds.values()];
    this.#feeds.clear();
    await Promise.all(feeds.map((f) => f.close()));
  }

  #feed(namespace: string): LiveViewFeed | undefined {
    if (this.#closed) return undefined;
    let feed = this.#feeds.get(namespace);
    if (!feed) {
      feed = new LiveViewFeed(this.#logger.child({ tenant: namespace }), this.#options);
      this.#feeds.set(namespace, feed);
    }
    return feed;
  }

  #forgetOthers(known: readonly LiveViewTenant[]): void {
    const served = new Set(known.map((t) => t.namespace));
    for (const [ns, feed] of this.#feeds) {
      if (served.has(ns)) continue;
      this.#feeds.delete(ns);
      void feed.close();
    }
  }
}
