// Names and references: no two manifests of a kind share a name in a namespace, and every
// policyRef / targets.groupRef names a manifest that exists in the same namespace.
import type { Check } from './context.ts';
import { findEntry, namesOf, whereIs } from './context.ts';
import { suggestName } from '../suggest.ts';

/** duplicate-name: the second manifest with a taken name is the error. */
export const checkDuplicateNames: Check = (ctx) => {
  const first = new Map<string, (typeof ctx.entries)[number]>();
  for (const entry of ctx.entries) {
    if (entry.name === '') continue;
    const seen = first.get(entry.key);
    if (!seen) {
      first.set(entry.key, entry);
      continue;
    }
    const ns = entry.namespace === 'default' ? '' : ` in namespace ${entry.namespace}`;
    ctx.report(entry, ['metadata', 'name'], 'value', 'duplicate-name', `${entry.kind} '${entry.name}'${ns} is already defined at ${whereIs(seen)}; rename one of them`);
  }
};

/** dangling-reference: policyRef → UpdatePolicy, targets.groupRef → DeviceGroup, same namespace. */
export const checkReferences: Check = (ctx) => {
  for (const entry of ctx.entries) {
    if (!entry.schemaValid) continue;
    if (entry.kind === 'DeviceGroup') {
      const ref = entry.manifest.spec.policyRef;
      if (ref) checkRef(ref.name, 'UpdatePolicy', ['spec', 'policyRef', 'name']);
    } else if (entry.kind === 'ScheduledUpdate') {
      const ref = entry.manifest.spec.targets.groupRef;
      if (ref) checkRef(ref.name, 'DeviceGroup', ['spec', 'targets', 'groupRef', 'name']);
    }
    function checkRef(name: string, kind: 'UpdatePolicy' | 'DeviceGroup', path: string[]): void {
      if (findEntry(ctx, kind, entry.namespace, name)) return;
      const names = namesOf(ctx, kind, entry.namespace);
      const guess = suggestName(names, name, ctx.suggestBudget);
      const ns = entry.namespace === 'default' ? 'the default namespace' : `namespace ${entry.namespace}`;
      const hint = guess ? `; did you mean '${guess}'?` : names.size === 0 ? `; there is no ${kind} in ${ns}` : '';
      ctx.report(entry, path, 'value', 'dangling-reference', `no ${kind} named '${name}' in ${ns}${hint}`);
    }
  }
};
