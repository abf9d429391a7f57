// Which conditions changed between two statuses, and how each change reads as a Kubernetes
// Event. Pure: the event recorder decides nothing itself.

/** The condition fields that matter for change detection. */
export interface ConditionLike {
  type: string;
  status: string;
  reason?: string;
  message?: string;
}

/** One condition whose status or reason is different now. */
export interface ConditionChange {
  type: string;
  from: string | undefined;
  to: string;
  reason: string;
  message: string | undefined;
}

function conditionsOf(status: unknown): ConditionLike[] {
  const list = (status as { conditions?: unknown } | undefined)?.conditions;
  if (!Array.isArray(list)) return [];
  return list.filter((c): c is ConditionLike => !!c && typeof c === 'object' && typeof c.type === 'string' && typeof c.status === 'string');
}

/** The conditions of `after` that are new or differ from `before` in status or reason. */
export function changedConditions(beforeStatus: unknown, afterStatus: unknown): ConditionChange[] {
  const before = new Map(conditionsOf(beforeStatus).map((c) => [c.type, c]));
  const changes: ConditionChange[] = [];
  for (const c of conditionsOf(afterStatus)) {
    const old = before.get(c.type);
    if (old && old.status === c.status && (old.reason ?? '') === (c.reason ?? '')) continue;
    changes.push({ type: c.type, from: old?.status, to: c.status, reason: c.reason || c.type, message: c.message });
  }
  return changes;
}

/** Normal for good news, Warning when something needs a human (not Ready, Stalled). */
export function eventTypeOf(change: ConditionChange): 'Normal' | 'Warning' {
  if (change.type === 'Ready' && change.to === 'False') return 'Warning';
  if (change.type === 'Stalled' && change.to === 'True') return 'Warning';
  return 'Normal';
}

/** The event note: "Ready False -> True: <message>", at most 1024 characters as the API allows. */
export function eventNoteOf(change: ConditionChange): string {
  const note = `${change.type} ${change.from ?? 'unset'} -> ${change.to}${change.message ? `: ${change.message}` : ''}`;
  return note.length > 1024 ? `${note.slice(0, 1021)}...` : note;
}
