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
  /** The reason before, when only the reason changed. */
  fromReason: string | undefined;
  /** The reason of Reconciling after the change, when Reconciling is True (work under way). */
  reconcilingReason: string | undefined;
  message: string | undefined;
}

function conditionsOf(status: unknown): ConditionLike[] {
  const list = (status as { conditions?: unknown } | undefined)?.conditions;
  if (!Array.isArray(list)) return [];
  return list.filter((c): c is ConditionLike => !!c && typeof c === 'object' && typeof c.type === 'string' && typeof c.status === 'string');
}

// Reconciling and Stalled follow the abnormal-true convention: False only says "nothing
// unusual", so one appearing False, or a new reason on one staying False (Healthy ->
// Progressing), tells a person nothing. Turning False from True (recovery) is news.
const abnormalTrue = new Set(['Reconciling', 'Stalled']);

/**
 * The conditions of `after` that are new or differ from `before` in status or reason, except a
 * Reconciling or Stalled that is False and was False or absent.
 */
export function changedConditions(beforeStatus: unknown, afterStatus: unknown): ConditionChange[] {
  const before = new Map(conditionsOf(beforeStatus).map((c) => [c.type, c]));
  const after = conditionsOf(afterStatus);
  const reconciling = after.find((c) => c.type === 'Reconciling' && c.status === 'True');
  const changes: ConditionChange[] = [];
  for (const c of after) {
    const old = before.get(c.type);
    if (abnormalTrue.has(c.type) && c.status === 'False' && (!old || old.status === 'False')) continue;
    if (old && old.status === c.status && (old.reason ?? '') === (c.reason ?? '')) continue;
    changes.push({
      type: c.type,
      from: old?.status,
      to: c.status,
      reason: c.reason || c.type,
      fromReason: old && old.status === c.status ? old.reason || old.type : undefined,
      reconcilingReason: reconciling ? reconciling.reason || reconciling.type : undefined,
      message: c.message,
    });
  }
  return changes;
}

/**
 * Warning when something went wrong: Stalled turned True (a person must act), or Ready turned
 * False for a reason other than the work Reconciling=True describes. A rollout starting turns
 * Ready False with Reconciling's reason (Progressing): normal news, so Normal.
 */
export function eventTypeOf(change: ConditionChange): 'Normal' | 'Warning' {
  if (change.type === 'Stalled' && change.to === 'True') return 'Warning';
  if (change.type === 'Ready' && change.to === 'False' && change.reason !== change.reconcilingReason) return 'Warning';
  return 'Normal';
}

/**
 * The event note, at most 1024 characters as the API allows: "Ready False -> True: <message>",
 * or "Ready False, reason Progressing -> UpdatesFailed: <message>" when only the reason changed.
 */
export function eventNoteOf(change: ConditionChange): string {
  const what = change.from === change.to && change.fromReason !== undefined
    ? `${change.type} ${change.to}, reason ${change.fromReason} -> ${change.reason}`
    : `${change.type} ${change.from ?? 'unset'} -> ${change.to}`;
  const note = `${what}${change.message ? `: ${change.message}` : ''}`;
  return note.length > 1024 ? `${note.slice(0, 1021)}...` : note;
}
