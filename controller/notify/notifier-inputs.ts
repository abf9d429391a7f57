// What the notifier reads: the valid channels and rules among the manifests, and its memory kept in the controller state.
import type { NotificationChannel, NotificationRule } from '../model/manifests.generated.ts';
import type { NotificationEventType, NotificationMemory } from '../model/notification-events.ts';
import { NotificationEventTypes } from '../model/notification-events.ts';
import type { RouteRule } from './outbox.ts';
import type { SecretRefSpec } from './secret-ref.ts';

/** A manifest as the notifier reads it (the reconcile's ManifestEntry fits). */
export interface NotifyManifest {
  readonly kind: string;
  readonly valid: boolean;
  readonly manifest: unknown;
}

/** A NotificationChannel's spec, as far as sending needs it. */
export interface ChannelConfig {
  readonly key: string;
  readonly namespace: string;
  readonly type: 'teams' | 'slack' | 'webhook';
  readonly secretRef: SecretRefSpec;
  readonly signingSecretRef: SecretRefSpec | undefined;
}

/** The valid channels and rules among the manifests. */
export function readConfig(manifests: readonly NotifyManifest[]): { channels: Map<string, ChannelConfig>; rules: RouteRule[] } {
  const channels = new Map<string, ChannelConfig>();
  const rules: RouteRule[] = [];
  for (const m of manifests) {
    if (!m.valid) continue;
    const meta = (m.manifest as NotificationChannel | NotificationRule).metadata;
    const namespace = meta.namespace ?? 'default';
    const key = `${namespace}/${meta.name}`;
    if (m.kind === 'NotificationChannel') {
      const spec = (m.manifest as NotificationChannel).spec;
      channels.set(key, { key, namespace, type: spec.type, secretRef: spec.secretRef, signingSecretRef: spec.signingSecretRef });
    } else if (m.kind === 'NotificationRule') {
      const spec = (m.manifest as NotificationRule).spec;
      rules.push({
        key,
        channel: `${namespace}/${spec.channelRef.name}`,
        events: spec.events.filter((e): e is NotificationEventType => (NotificationEventTypes as readonly string[]).includes(e)),
        groups: (spec.groupRefs ?? []).map((r) => r.name),
        policies: (spec.policyRefs ?? []).map((r) => r.name),
        suspended: spec.suspend === true,
      });
    }
  }
  return { channels, rules };
}

/** The memory from a state, or undefined when it holds none this version understands. */
export function restoreMemory(value: unknown): NotificationMemory | undefined {
  const m = value as Partial<NotificationMemory> | null | undefined;
  if (!m || m.version !== 1 || typeof m.seen !== 'object' || m.seen === null || typeof m.waves !== 'object' || m.waves === null || !Array.isArray(m.outbox)) return undefined;
  return { version: 1, seen: m.seen, waves: m.waves, outbox: m.outbox.filter((x) => x && typeof x.id === 'string' && Array.isArray(x.events)) };
}
