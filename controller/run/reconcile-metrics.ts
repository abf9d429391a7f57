// What one reconcile tells the metrics, from what it computed: the rollout gauges from the plan
// it acted on, and operations that timed out, from its ledger.
import type { ReconcileResult } from '../model/reconcile.ts';
import type { LedgerEntry } from '../model/state.ts';
import { timedOutCode } from '../reconcile/ledger-entries.ts';
import { rolloutGauges } from '../status/rollout-gauges.ts';
import type { Metrics } from '../server/metrics.ts';

/** A ledger entry's identity: one request of one update. */
function entryKey(e: LedgerEntry): string {
  return `${e.deviceId}|${e.softwareType}|${e.requestedAt}`;
}

/**
 * Ledger entries that timed out at or after `since` and are not in `counted`. Timeouts recorded
 * before `since` (by an earlier process or leader) are not news: counting them again after each
 * restart would make the counter jump and OperationsTimedOut fire for nothing.
 */
export function newTimeouts(ledger: readonly LedgerEntry[], counted: ReadonlySet<string>, since: number): string[] {
  return ledger.filter((e) => e.error?.code === timedOutCode && (e.endedAt ?? 0) >= since && !counted.has(entryKey(e))).map(entryKey);
}

/** Returns what the controller calls after each reconcile; `since` is when this controller started (clock ms). */
export function reconcileMetrics(metrics: Metrics, since: number): (result: ReconcileResult) => void {
  let counted = new Set<string>();
  return (result) => {
    // No plan (an engine that gives none): the last gauges stay rather than vanish.
    if (result.plan) metrics.setRollouts(rolloutGauges(result.plan));
    const fresh = newTimeouts(result.ledger, counted, since);
    metrics.countOperationsTimedOut(fresh.length);
    // Remember only what the ledger still holds, so the set stays as small as the ledger.
    const inLedger = new Set(result.ledger.map(entryKey));
    counted = new Set([...counted, ...fresh].filter((k) => inLedger.has(k)));
  };
}
