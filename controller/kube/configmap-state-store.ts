// Keeps the controller state (release first-seen dates, operation ledger, rollout bookkeeping,
// the notifications already sent and those waiting)
// in a ConfigMap of the controller's namespace, so it survives pod restarts and moves with
// leadership to whichever replica leads next — a pod's own disk would not.
// Writes are conditional on the resourceVersion this store last read or wrote: when another
// writer got in between (a replica that became leader while we thought we still were), the
// save fails with StateConflictError instead of overwriting the newer state.
import type { ControllerState, StateStore } from '../model/state.ts';
import { emptyState } from '../model/state.ts';
import type { KubeClient } from './kube-client.ts';
import { isAlreadyExists, isConflict, isNotFound } from './kube-error.ts';

/** The state was written by someone else since we read it. */
export class StateConflictError extends Error {
  override name = 'StateConflictError';
}

/** The ConfigMap exists but does not hold a state this version understands. */
export class StateFormatError extends Error {
  override name = 'StateFormatError';
}

const dataKey = 'state.json';
// ConfigMaps hold at most 1 MiB; stop short of it with a clear message.
const maxBytes = 900 * 1024;

interface ConfigMap {
  apiVersion?: string;
  kind?: string;
  metadata: { name: string; namespace?: string; resourceVersion?: string; labels?: Record<string, string> };
  data?: Record<string, string>;
}

/** A StateStore in one ConfigMap. */
export class ConfigMapStateStore implements StateStore {
  readonly #client: KubeClient;
  readonly #namespace: string;
  readonly #name: string;
  #resourceVersion: string | undefined;
  #exists = false;

  constructor(client: KubeClient, namespace: string, name = 'firmwarden-state') {
    this.#client = client;
    this.#namespace = namespace;
    this.#name = name;
  }

  get #path(): string {
    return `/api/v1/namespaces/${encodeURIComponent(this.#namespace)}/configmaps/${encodeURIComponent(this.#name)}`;
  }

  async load(): Promise<ControllerState> {
    let cm: ConfigMap;
    try {
      cm = await this.#client.request<ConfigMap>({ path: this.#path });
    } catch (error) {
      if (!isNotFound(error)) throw error;
      this.#exists = false;
      this.#resourceVersion = undefined;
      return emptyState;
    }
    this.#exists = true;
    this.#resourceVersion = cm.metadata.resourceVersion;
    const text = cm.data?.[dataKey];
    if (text === undefined) return emptyState;
    let parsed: Partial<ControllerState>;
    try {
      parsed = JSON.parse(text) as Partial<ControllerState>;
    } catch (error) {
      throw new StateFormatError(`ConfigMap ${this.#namespace}/${this.#name} key ${dataKey} is not valid JSON; delete the key to start with fresh release dates`, { cause: error });
    }
    if (parsed.version !== 1 || !Array.isArray(parsed.releases) || !Array.isArray(parsed.ledger)) {
      throw new StateFormatError(`ConfigMap ${this.#namespace}/${this.#name} holds a state of unknown layout (version ${String(parsed.version)})`);
    }
    return {
      version: 1, releases: parsed.releases, ledger: parsed.ledger, rollouts: parsed.rollouts ?? {},
      ...(parsed.notifications !== undefined ? { notifications: parsed.notifications } : {}),
      ...(parsed.health !== undefined ? { health: parsed.health } : {}),
    };
  }

  async save(state: ControllerState): Promise<void> {
    const text = JSON.stringify(state);
    if (Buffer.byteLength(text) > maxBytes) {
      throw new StateFormatError(`the controller state is ${Buffer.byteLength(text)} bytes, more than a ConfigMap can hold (${maxBytes})`);
    }
    const metadata = { name: this.#name, namespace: this.#namespace, labels: { 'app.kubernetes.io/name': 'firmwarden', 'app.kubernetes.io/component': 'state' } };
    try {
      const written = this.#exists
        ? await this.#client.request<ConfigMap>({
            method: 'PUT',
            path: this.#path,
            body: { apiVersion: 'v1', kind: 'ConfigMap', metadata: { ...metadata, resourceVersion: this.#resourceVersion }, data: { [dataKey]: text } },
          })
        : await this.#client.request<ConfigMap>({
            method: 'POST',
            path: `/api/v1/namespaces/${encodeURIComponent(this.#namespace)}/configmaps`,
            body: { apiVersion: 'v1', kind: 'ConfigMap', metadata, data: { [dataKey]: text } },
          });
      this.#exists = true;
      this.#resourceVersion = written.metadata.resourceVersion;
    } catch (error) {
      if (isConflict(error) || isAlreadyExists(error)) {
        throw new StateConflictError(`ConfigMap ${this.#namespace}/${this.#name} was changed by another writer since it was read; reload before saving`, { cause: error });
      }
      if (isNotFound(error) && this.#exists) {
        // Deleted by hand: recreate it on the next save.
        this.#exists = false;
        this.#resourceVersion = undefined;
      }
      throw error;
    }
  }
}
