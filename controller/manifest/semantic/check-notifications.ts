// NotificationChannels and NotificationRules: a rule names a channel, groups and policies that
// exist in its namespace; a secret reference says where to read in exactly one way; a webhook
// channel has a signing key, and the other types are told theirs is ignored.
import type { Check, CheckContext, Entry } from './context.ts';
import { findEntry, namesOf, validOf } from './context.ts';
import { suggestName } from '../suggest.ts';
import type { PathSegment } from '../yaml-document.ts';
import type { SecretRef } from '../../model/manifests.generated.ts';

/** dangling-reference for a rule's channelRef, groupRefs and policyRefs. */
export const checkNotificationReferences: Check = (ctx) => {
  for (const entry of validOf(ctx, 'NotificationRule')) {
    const spec = entry.manifest.spec;
    checkRef(ctx, entry, spec.channelRef.name, 'NotificationChannel', ['spec', 'channelRef', 'name']);
    spec.groupRefs?.forEach((r, i) => checkRef(ctx, entry, r.name, 'DeviceGroup', ['spec', 'groupRefs', i, 'name']));
    spec.policyRefs?.forEach((r, i) => checkRef(ctx, entry, r.name, 'UpdatePolicy', ['spec', 'policyRefs', i, 'name']));
  }
};

function checkRef(ctx: CheckContext, entry: Entry, name: string, kind: 'NotificationChannel' | 'DeviceGroup' | 'UpdatePolicy', path: PathSegment[]): void {
  if (findEntry(ctx, kind, entry.namespace, name)) return;
  const names = namesOf(ctx, kind, entry.namespace);
  const guess = suggestName(names, name, ctx.suggestBudget);
  const ns = entry.namespace === 'default' ? 'the default namespace' : `namespace ${entry.namespace}`;
  const hint = guess ? `; did you mean '${guess}'?` : names.size === 0 ? `; there is no ${kind} in ${ns}` : '';
  ctx.report(entry, path, 'value', 'dangling-reference', `no ${kind} named '${name}' in ${ns}${hint}`);
}

/** secret-ref-form, webhook-without-signing-key, and setting-ignored for a signing key teams and slack do not use. */
export const checkNotificationChannels: Check = (ctx) => {
  for (const entry of validOf(ctx, 'NotificationChannel')) {
    const spec = entry.manifest.spec;
    checkSecretRef(ctx, entry, spec.secretRef, ['spec', 'secretRef']);
    if (spec.signingSecretRef) checkSecretRef(ctx, entry, spec.signingSecretRef, ['spec', 'signingSecretRef']);
    if (spec.type === 'webhook' && !spec.signingSecretRef) {
      ctx.report(entry, ['spec', 'type'], 'value', 'webhook-without-signing-key', 'a webhook channel signs every request: add spec.signingSecretRef naming where its HMAC key (at least 16 characters) is kept');
    }
    if (spec.type !== 'webhook' && spec.signingSecretRef) {
      ctx.report(entry, ['spec', 'signingSecretRef'], 'key', 'setting-ignored', `signingSecretRef is used by webhook channels only; a ${spec.type} channel ignores it`);
    }
  }
};

/** secret-ref-form for the secret reference at `path` (NotificationChannel, Tenant). */
export function checkSecretRef(ctx: CheckContext, entry: Entry, ref: SecretRef, path: readonly PathSegment[]): void {
  const field = String(path[path.length - 1]);
  const kube = ref.name !== undefined || ref.key !== undefined;
  const ways = [ref.file !== undefined, ref.env !== undefined, kube].filter(Boolean).length;
  if (ways > 1) {
    ctx.report(entry, path, 'key', 'secret-ref-form', `${field} gives ${ways} places to read the secret; give exactly one: file, env, or name with key (a Kubernetes Secret)`);
  } else if (kube && (ref.name === undefined || ref.key === undefined)) {
    const missing = ref.name === undefined ? 'name' : 'key';
    ctx.report(entry, path, 'key', 'secret-ref-form', `${field}: a Kubernetes Secret needs both name and key; add ${missing}`);
  }
}
