// What the demo's screen shows after each reconcile. A pass's result is paired only with the
// evaluation that pass made: a pass that failed before evaluating (the fleet or the state could
// not be read) shows the last evaluation under its failure, marked older, never as this pass's
// progress; before any evaluation there is nothing to draw. Real input: the examples' manifests
// and an emulated fleet, gathered as `plan` does, evaluated by the controller's engine.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { gather } from '../../controller/cli/plan.ts';
import { createEngine } from '../../controller/reconcile/engine.ts';
import { parseFleetOptions } from '../../controller/config/fleet-options.ts';
import { DemoPasses, frameInputOf, type DemoSnapshot } from '../../controller/cli/demo-snapshot.ts';
import { OperationMemory } from '../../controller/cli/demo-tally.ts';
import { renderDemoFrame } from '../../controller/cli/demo-view.ts';
import { formatZoned } from '../../controller/cli/demo-time.ts';
import type { EngineInput, EngineOutput } from '../../controller/model/engine.ts';
import type { PassFailure, ReconcileResult } from '../../controller/model/reconcile.ts';
import type { ManifestEntry } from '../../controller/model/desired.ts';
import type { Finding } from '../../controller/manifest/finding.ts';
import { deps, quietIO } from './plan-harness.ts';

const hour = 3_600_000;
const t0 = Date.parse('2026-11-23T10:00:00Z');
const fleetDown: PassFailure = { step: 'fleet', reason: 'FleetUnavailable', message: 'the fleet could not be read: connect ECONNREFUSED', retryable: true };
const sourceDown: PassFailure = { step: 'sync', reason: 'SourceUnavailable', message: 'the source could not be synced: remote hung up', retryable: true };

type Input = EngineInput<ManifestEntry, Finding>;

/** The examples on an emulated fleet at `now`, evaluated by the controller's engine. */
async function evaluation(now: number): Promise<{ input: Input; output: EngineOutput }> {
  const { options: fleetOptions } = parseFleetOptions(['--emulator'], {});
  const { input } = await gather(['examples'], { now, fleetOptions, statePath: undefined, io: quietIO, deps: await deps() });
  return { input, output: createEngine({ statusDetail: 'summary' })(input) };
}

function resultOf(output: EngineOutput | undefined, failures: readonly PassFailure[] = []): ReconcileResult {
  return {
    revision: 'r1',
    outcome: failures.length > 0 ? { kind: 'error', message: failures[0]!.message } : { kind: 'success' },
    outcomes: [],
    statuses: output?.statuses ?? [],
    ledger: [],
    statusWritten: true,
    plan: output?.plan,
    failures,
  };
}

const first = await evaluation(t0);
const second = await evaluation(t0 + hour);

interface Step {
  /** The evaluation the pass made, if it got that far. */
  readonly evaluated?: { input: Input; output: EngineOutput };
  readonly failures?: readonly PassFailure[];
  readonly at: number;
  /** What the screen shows: the `now` of the figures, and the failure line (undefined: none). */
  readonly figuresAt: number | undefined;
  readonly failure?: { readonly message: string; readonly stale: boolean };
}

const cases: [string, Step[]][] = [
  ['a pass that evaluated shows its own evaluation', [
    { evaluated: first, at: t0, figuresAt: t0 },
  ]],
  ['a pass that failed before any evaluation ever: nothing to draw (was: a snapshot without input)', [
    { failures: [fleetDown], at: t0, figuresAt: undefined },
  ]],
  ['a pass that failed before evaluating keeps the previous figures, marked older, with its failure', [
    { evaluated: first, at: t0, figuresAt: t0 },
    { failures: [fleetDown], at: t0 + 2 * hour, figuresAt: t0, failure: { message: fleetDown.message, stale: true } },
  ]],
  ['an evaluation is never reused by a later pass: the pass after a failure shows its own, without the failure', [
    { evaluated: first, at: t0, figuresAt: t0 },
    { failures: [fleetDown], at: t0 + hour / 2, figuresAt: t0, failure: { message: fleetDown.message, stale: true } },
    { evaluated: second, at: t0 + hour, figuresAt: t0 + hour },
  ]],
  ['a source down while the last good revision is evaluated: fresh figures, the failure above them', [
    { evaluated: first, failures: [sourceDown], at: t0, figuresAt: t0, failure: { message: sourceDown.message, stale: false } },
  ]],
  ['two failures in one pass are both named', [
    { evaluated: first, at: t0, figuresAt: t0 },
    { failures: [sourceDown, fleetDown], at: t0 + hour, figuresAt: t0, failure: { message: `${sourceDown.message}; ${fleetDown.message}`, stale: true } },
  ]],
];

for (const [name, steps] of cases) {
  test(`DemoPasses: ${name}`, () => {
    const passes = new DemoPasses();
    for (const [i, step] of steps.entries()) {
      if (step.evaluated) passes.evaluated(step.evaluated.input, step.evaluated.output.plan);
      const shown = passes.ended(resultOf(step.evaluated?.output, step.failures), step.at);
      assert.is(shown?.input.now, step.figuresAt, `pass ${i}: figures`);
      assert.equal(shown?.failure, step.failure && { at: step.at, ...step.failure }, `pass ${i}: failure`);
      if (step.evaluated) assert.is(shown?.result.statuses, step.evaluated.output.statuses, `pass ${i}: its own statuses`);
    }
  });
}

test('the frame after a failed pass says it failed, when, and that its figures are older; the next good pass clears it', () => {
  const passes = new DemoPasses();
  const draw = (shown: DemoSnapshot | undefined) => renderDemoFrame(frameInputOf(shown!, new OperationMemory(), { timeZone: 'UTC', startedAt: t0 }));
  passes.evaluated(first.input, first.output.plan);
  const good = draw(passes.ended(resultOf(first.output), t0));
  const failedAt = t0 + 2 * hour;
  const failed = draw(passes.ended(resultOf(undefined, [fleetDown]), failedAt));
  assert.ok(failed.includes(`✗ reconcile at ${formatZoned(failedAt, 'UTC')} failed: ${fleetDown.message} · figures below are from ${formatZoned(t0, 'UTC')}`), failed);
  // The figures are the earlier pass's, under the same header: nothing claims progress.
  assert.is(failed.split('\n').filter((l) => !l.startsWith('✗')).join('\n'), good);
  passes.evaluated(second.input, second.output.plan);
  const again = draw(passes.ended(resultOf(second.output), t0 + 3 * hour));
  assert.not.ok(again.includes('reconcile at'), again);
});

test('a failure message cannot draw on the screen: control characters are escaped', () => {
  const passes = new DemoPasses();
  passes.evaluated(first.input, first.output.plan);
  passes.ended(resultOf(first.output), t0);
  const shown = passes.ended(resultOf(undefined, [{ ...fleetDown, message: 'down\x1b[2J\rhidden' }]), t0 + hour);
  const frame = renderDemoFrame(frameInputOf(shown!, new OperationMemory(), {}));
  assert.not.ok(frame.includes('\x1b'), 'no escape code');
  assert.not.ok(frame.includes('\r'), 'no carriage return');
});

test.run();
