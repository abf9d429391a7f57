import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { renderBar, renderDemoFrame } from '../../controller/cli/demo-view.ts';
import { assertNoRawControls, assertNoWorkflowCommand, hostile } from '../support/hostile.ts';

const barCases: [string, Parameters<typeof renderBar>[0], number, string][] = [
  ['all up to date fills the bar', { upToDate: 10 }, 10, '██████████'],
  ['no counts is blank', undefined, 4, '    '],
  ['half pending', { upToDate: 5, pending: 5 }, 10, '█████░░░░░'],
  ['a single failure still shows', { upToDate: 999, failed: 1 }, 10, '█████████✗'],
];
for (const [name, counts, width, expected] of barCases) {
  test(`renderBar: ${name}`, () => {
    assert.is(renderBar(counts, width), expected);
    assert.is([...renderBar(counts, width)].length, width);
  });
}

test('a frame names each group, its wave, stalls and failures', () => {
  const frame = renderDemoFrame({
    now: Date.parse('2027-01-11T00:00:00Z'),
    groups: [
      {
        name: 'vip-rooms',
        policy: 'vip',
        status: {
          phase: 'Final',
          counts: { upToDate: 3, failed: 2, scheduled: 5 },
          conditions: [{ type: 'Stalled', status: 'True', reason: 'FailureThresholdExceeded', lastTransitionTime: '2027-01-10T00:00:00Z' }],
          rollouts: [{ softwareType: 'firmware', version: '1.9.4', state: 'Stopped', wave: 2, waves: 3 }],
        },
      },
      { name: 'lab', policy: 'lab', status: undefined },
    ],
    schedules: [{ name: 'teams-client-nyc', status: { scheduledTime: '2027-01-17T02:00:00Z', counts: { succeeded: 4 } } }],
    operations: { started: 10, succeeded: 7, failed: 2 },
  });
  assert.match(frame, '2027-01-11 00:00 UTC');
  assert.match(frame, /vip-rooms\s+Final/);
  assert.match(frame, 'STALLED (FailureThresholdExceeded)');
  assert.match(frame, 'firmware 1.9.4 wave 2/3 Stopped');
  assert.match(frame, '2 failing');
  assert.match(frame, 'teams-client-nyc at 2027-01-17 02:00 UTC  succeeded 4');
  assert.match(frame, 'operations: 10 started, 7 succeeded, 2 failed');
});

// Group and schedule names come from manifests, versions from devices: hostile input.
const frameWith = (value: string) => renderDemoFrame({
  now: Date.parse('2027-01-11T00:00:00Z'),
  groups: [
    { name: value, policy: 'p', status: { phase: 'Final', counts: { upToDate: 3 }, rollouts: [{ softwareType: 'firmware', version: value, state: 'Progressing', wave: 1, waves: 2 }] } },
    { name: 'lab', policy: 'lab', status: undefined },
  ],
  schedules: [{ name: value, status: { counts: { succeeded: 1 } } }],
  operations: { started: 1, succeeded: 1, failed: 0 },
});
for (const [what, value] of hostile) {
  test(`a frame with ${what} in names and versions keeps its lines and columns`, () => {
    const frame = frameWith(value);
    const benign = frameWith('benign');
    assert.is(frame.split('\n').length, benign.split('\n').length, frame);
    assertNoRawControls(frame, what);
    assertNoWorkflowCommand(frame, what);
    const bars = frame.split('\n').map((l) => l.search(/\[[█▒░·✗ -]{30}\]/u)).filter((i) => i >= 0);
    assert.is(new Set(bars.slice(0, 2)).size, 1, `the bars of both groups start in one column: ${frame}`);
  });
}

test.run();
