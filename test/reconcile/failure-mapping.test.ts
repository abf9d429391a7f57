// The one place errors become outcomes and conditions: each error a step can throw, the failure
// it stands for (reason, retryable), the loop's outcome, and the conditions every manifest gets,
// which keep the kstatus contract of status/conditions.ts (never Ready=False with Reconciling and
// Stalled both False).
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { SourceError, SourceFailureReasons, UntrustedRevisionError, type Snapshot } from '../../controller/model/source.ts';
import { FleetError } from '../../controller/model/fleet.ts';
import type { Condition } from '../../controller/model/manifests.generated.ts';
import { failureOf, passOutcome } from '../../controller/reconcile/outcome.ts';
import type { Step } from '../../controller/model/reconcile.ts';
import { withFailures } from '../../controller/status/failure-conditions.ts';

const last: Snapshot = { revision: '0123456789abcdef0123456789abcdef01234567', files: [], omitted: [], changed: true, specChanged: true };
const at = '2027-01-11T09:00:00Z';
const healthy: Condition[] = [
  { type: 'Ready', status: 'True', reason: 'UpToDate', message: 'every device is up to date', lastTransitionTime: at },
  { type: 'Reconciling', status: 'False', reason: 'UpToDate', message: 'nothing to do', lastTransitionTime: at },
  { type: 'Stalled', status: 'False', reason: 'Healthy', message: 'nothing needs a person', lastTransitionTime: at },
];
const inFlight: Condition[] = [
  { type: 'Ready', status: 'False', reason: 'Progressing', message: '2 updates in progress', lastTransitionTime: at },
  { type: 'Reconciling', status: 'True', reason: 'Progressing', message: '2 updates in progress', lastTransitionTime: at },
  { type: 'Stalled', status: 'False', reason: 'Progressing', message: 'not stalled while updates start or run', lastTransitionTime: at },
  { type: 'MeetingsUnavailable', status: 'False', reason: 'CalendarsRead', message: 'read', lastTransitionTime: at },
];
const stalled: Condition[] = [
  { type: 'Ready', status: 'False', reason: 'InvalidManifest', message: 'spec.selector is required', lastTransitionTime: at },
  { type: 'Reconciling', status: 'False', reason: 'InvalidManifest', message: 'nothing is done until a person changes the manifest', lastTransitionTime: at },
  { type: 'Stalled', status: 'True', reason: 'InvalidManifest', message: 'spec.selector is required', lastTransitionTime: at },
];

type Triple = [ready: string, reconciling: string, stalled: string];
const cases: { name: string; step: Step; error: unknown; reason: string; retryable: boolean; outcome: 'error' | 'terminal'; before: Condition[]; after: Triple; message?: RegExp }[] = [
  {
    name: 'the Git remote is down: retried, the last good revision keeps reconciling, InProgress meanwhile',
    step: 'sync', error: new SourceError(SourceFailureReasons.unavailable, 'syncing main: the remote is unreachable', { retryable: true, lastSnapshot: last }),
    reason: 'SourceUnavailable', retryable: true, outcome: 'error', before: healthy, after: ['False SourceUnavailable', 'True SourceUnavailable', 'False SourceUnavailable'],
    message: /the source could not be synced: syncing main: the remote is unreachable; revision 0123456789ab, the last one read, keeps reconciling/,
  },
  {
    name: 'credentials refused: only a person can fix it, so the manifests stall',
    step: 'sync', error: new SourceError(SourceFailureReasons.authentication, 'the remote refused the credentials', { retryable: false, lastSnapshot: last }),
    reason: 'AuthenticationFailed', retryable: false, outcome: 'terminal', before: healthy, after: ['False AuthenticationFailed', 'False AuthenticationFailed', 'True AuthenticationFailed'],
  },
  {
    name: 'an untrusted head stalls on UntrustedRevision',
    step: 'sync', error: new UntrustedRevisionError('abc', 'the head commit abc is not signed by a trusted key'),
    reason: 'UntrustedRevision', retryable: false, outcome: 'terminal', before: inFlight, after: ['False UntrustedRevision', 'False UntrustedRevision', 'True UntrustedRevision'],
  },
  {
    name: 'the Graph API throttles the fleet read: retried; updates in flight keep Reconciling\'s own reason',
    step: 'fleet', error: new FleetError('429 Too Many Requests', { retryable: true, status: 429 }),
    reason: 'FleetUnavailable', retryable: true, outcome: 'error', before: inFlight, after: ['False FleetUnavailable', 'True Progressing', 'False FleetUnavailable'],
  },
  {
    name: 'the app lost its permission: a fleet failure no retry fixes stalls',
    step: 'fleet', error: new FleetError('403 Forbidden', { retryable: false, status: 403 }),
    reason: 'FleetUnavailable', retryable: false, outcome: 'terminal', before: healthy, after: ['False FleetUnavailable', 'False FleetUnavailable', 'True FleetUnavailable'],
  },
  {
    name: 'the state cannot be read (any other error): retried',
    step: 'state', error: new Error('EIO: i/o error, read'),
    reason: 'StateUnavailable', retryable: true, outcome: 'error', before: healthy, after: ['False StateUnavailable', 'True StateUnavailable', 'False StateUnavailable'],
    message: /^the state could not be read: EIO/,
  },
  {
    name: 'a manifest already stalled for its own reason keeps it, and says what else failed',
    step: 'sync', error: new SourceError(SourceFailureReasons.unavailable, 'down', { retryable: true }),
    reason: 'SourceUnavailable', retryable: true, outcome: 'error', before: stalled, after: ['False InvalidManifest', 'False InvalidManifest', 'True InvalidManifest'],
  },
];

for (const c of cases) {
  test(c.name, () => {
    const failure = failureOf(c.step, c.error);
    assert.is(failure.reason, c.reason);
    assert.is(failure.retryable, c.retryable);
    assert.is(failure.step, c.step);
    if (c.message) assert.match(failure.message, c.message);
    assert.is(passOutcome([failure], [], [Date.parse(at)]).kind, c.outcome);
    const conditions = withFailures(c.before, [failure]);
    const of = (type: string) => conditions.find((x) => x.type === type);
    assert.equal([of('Ready'), of('Reconciling'), of('Stalled')].map((x) => `${x?.status} ${x?.reason}`), c.after);
    // kstatus: Ready=False needs Reconciling=True or Stalled=True, or it reads InProgress forever.
    assert.ok(of('Ready')!.status === 'True' || of('Reconciling')!.status === 'True' || of('Stalled')!.status === 'True');
    assert.match(of('Ready')!.message, c.before === stalled ? /also: / : /./);
    // Conditions other than the three are kept.
    assert.equal(conditions.filter((x) => x.type === 'MeetingsUnavailable').length, c.before === inFlight ? 1 : 0);
  });
}

test('outcomes: failures come first (terminal only when none can be retried), then start errors, then the earliest wake time', () => {
  const down = failureOf('sync', new SourceError(SourceFailureReasons.unavailable, 'down', { retryable: true }));
  const refused = failureOf('sync', new SourceError(SourceFailureReasons.authentication, 'refused', { retryable: false }));
  assert.is(passOutcome([down, refused], [], []).kind, 'error');
  assert.equal(passOutcome([refused], [], []), { kind: 'terminal', reason: 'AuthenticationFailed', message: 'the source could not be synced: refused' });
  assert.equal(passOutcome([], [{ retryable: true }], [5]), { kind: 'error', message: '1 update(s) could not be started' });
  assert.equal(passOutcome([], [{ retryable: false }], [9, 5]), { kind: 'waiting', until: 5 });
  assert.equal(passOutcome([], [], []), { kind: 'success' });
  assert.equal(withFailures(healthy, []).map((x) => x.reason), ['UpToDate', 'UpToDate', 'Healthy']);
});

test.run();
