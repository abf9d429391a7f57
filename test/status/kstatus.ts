// Test helper: the status that kstatus (sigs.k8s.io/cli-utils/pkg/kstatus/status, which Flux's
// health checks and `wait: true` use) computes for a custom resource, written from its
// documented rules, not from its code. For a kind it has no built-in rule for, kstatus decides:
//   1. metadata.deletionTimestamp set                            -> Terminating
//   2. status.observedGeneration present and != metadata.generation -> InProgress
//   3. the first condition that is Reconciling=True or Stalled=True, in list order:
//        Reconciling=True -> InProgress; Stalled=True -> Failed
//   4. else a Ready condition: True -> Current; False or Unknown -> InProgress
//   5. else (no condition it knows)                             -> Current
// Rule 4 is why Ready=False with Reconciling=False and Stalled=False is not "at rest" to
// kstatus: it reads InProgress, so `flux` waits until its timeout instead of failing with the reason.

/** The statuses kstatus can compute from an object alone (NotFound and Unknown need a cluster). */
export type KstatusStatus = 'InProgress' | 'Failed' | 'Current' | 'Terminating';

/** What kstatus computed, with the condition's reason and message that decided it. */
export interface KstatusResult {
  readonly status: KstatusStatus;
  readonly reason: string;
  readonly message: string;
}

interface ObjectLike {
  readonly metadata?: { readonly generation?: number; readonly deletionTimestamp?: string };
  readonly status?: { readonly observedGeneration?: number; readonly conditions?: readonly { type: string; status: string; reason?: string; message?: string }[] } | undefined;
}

/** Computes the kstatus status of a custom resource following kstatus's documented rules. */
export function kstatusOf(object: ObjectLike): KstatusResult {
  if (object.metadata?.deletionTimestamp) return { status: 'Terminating', reason: '', message: 'the object is being deleted' };
  const generation = object.metadata?.generation;
  const observed = object.status?.observedGeneration;
  // Without observedGeneration kstatus cannot compare, so it skips this rule.
  if (generation !== undefined && observed !== undefined && observed !== generation) {
    return { status: 'InProgress', reason: 'LatestGenerationNotObserved', message: `generation ${generation}, observed ${observed}` };
  }
  const conditions = object.status?.conditions ?? [];
  for (const c of conditions) {
    if (c.type === 'Reconciling' && c.status === 'True') return { status: 'InProgress', reason: c.reason ?? '', message: c.message ?? '' };
    if (c.type === 'Stalled' && c.status === 'True') return { status: 'Failed', reason: c.reason ?? '', message: c.message ?? '' };
  }
  const ready = conditions.find((c) => c.type === 'Ready');
  if (ready?.status === 'True') return { status: 'Current', reason: ready.reason ?? '', message: ready.message ?? '' };
  if (ready?.status === 'False' || ready?.status === 'Unknown') return { status: 'InProgress', reason: ready.reason ?? '', message: ready.message ?? '' };
  return { status: 'Current', reason: '', message: 'no condition kstatus knows' };
}
