import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { renderBar } from '../../controller/cli/demo-look.ts';
import { renderDemoEnding, type DemoEndingInput } from '../../controller/cli/demo-ending.ts';
import { formatZoned } from '../../controller/cli/demo-time.ts';
import { renderDemoFrame, type DemoFrameInput, type DemoGroup } from '../../controller/cli/demo-view.ts';
import { emptyTally, type DeviceTally } from '../../controller/cli/demo-tally.ts';
import { shouldColour } from '../../controller/output/colour.ts';
import { assertNoRawControls, assertNoWorkflowCommand, hostile } from '../support/hostile.ts';
import type { ReasonCode } from '../../controller/model/plan.ts';

const tally = (counts: Partial<DeviceTally>): DeviceTally => ({ ...emptyTally(), ...counts });
const noOps = { started: 0, succeeded: 0, failed: 0, inFlight: 0 };
const sgr = /\x1b\[[0-9;]*m/g;

const barCases: [string, DeviceTally | undefined, number, string][] = [
  ['all up to date fills the bar', tally({ upToDate: 10 }), 10, '██████████'],
  ['no devices is blank', undefined, 4, '    '],
  ['half waiting', tally({ upToDate: 5, waiting: 5 }), 10, '█████░░░░░'],
  ['updated looks different from already up to date', tally({ upToDate: 5, updated: 5 }), 10, '█████▓▓▓▓▓'],
  ['a single failure still shows', tally({ upToDate: 999, failed: 1 }), 10, '█████████✗'],
  ['refused and on hold have their own symbols', tally({ upToDate: 8, onHold: 1, refused: 1 }), 10, '████████-!'],
];
for (const [name, counts, width, expected] of barCases) {
  test(`renderBar: ${name}`, () => {
    assert.is(renderBar(counts, width), expected);
    assert.is([...renderBar(counts, width)].length, width);
  });
}

const paris: DemoGroup = {
  name: 'vip-rooms',
  timeZone: 'Europe/Paris',
  phase: 'Final',
  conditions: [{ type: 'Stalled', status: 'True', reason: 'FailureThresholdExceeded' }],
  devices: tally({ upToDate: 3, updated: 2, failed: 2, waiting: 5 }),
  rollouts: [{ softwareType: 'firmware', version: '1.9.4', state: 'Stopped', wave: 2, waves: 3 }],
  nextActionTime: Date.parse('2027-01-11T21:00:00Z'),
};
const frame = (over: Partial<DemoFrameInput> = {}) => renderDemoFrame({
  now: Date.parse('2027-01-11T00:00:00Z'),
  groups: [paris, { name: 'lab', devices: undefined }],
  schedules: [{
    name: 'teams-client-nyc', timeZone: 'America/New_York', conditions: [{ type: 'Ready', status: 'True', reason: 'Completed' }], targeted: 210,
    scheduledTime: Date.parse('2027-01-17T02:00:00Z'), completionTime: Date.parse('2027-01-17T09:12:00Z'), reached: { updated: 164, updating: 0, failed: 12 },
  }],
  operations: { started: 10, succeeded: 7, failed: 2, inFlight: 1 },
  ...over,
});

test('a frame counts devices (not device × software pairs), names each group, its wave, stalls and failures', () => {
  const text = frame();
  assert.match(text, 'firmwarden demo · simulated Mon 11 Jan 2027 00:00 UTC');
  assert.match(text, /vip-rooms\s+Final/);
  assert.match(text, '    5/12   devices up to date  STALLED (FailureThresholdExceeded)');
  assert.match(text, '▓ 2 updated · ░ 5 waiting · ✗ 2 failed');
  assert.match(text, 'firmware 1.9.4 wave 2/3 Stopped');
  assert.match(text, 'updates (one device × one software each): 10 started · 7 succeeded · 2 failed · 1 in flight');
  assert.match(text, 'legend: █ up to date  ▓ updated  ▒ updating  ░ waiting  - on hold  ✗ failed  ! refused');
});

test('a waiting rollout says what it waits for', () => {
  const waiting = (waitingFor?: ReasonCode) => frame({ groups: [{ name: 'vip', devices: undefined, rollouts: [{ softwareType: 'teamsClient', version: '5.4', state: 'Waiting', wave: 1, waves: 2, waitingFor }] }] });
  assert.match(waiting('Deferred'), "teamsClient 5.4 wave 1/2 waiting for the phase's delay");
  assert.match(waiting('InUse'), 'teamsClient 5.4 wave 1/2 waiting for devices in use (a meeting or a call) to be free');
  assert.match(waiting(undefined), "teamsClient 5.4 wave 1/2 waiting for a window or the phase's delay");
});

test('a completed ScheduledUpdate shows what its operations did, in devices, and when it completed, in its own time', () => {
  const text = frame({ now: Date.parse('2027-02-20T00:00:00Z') });
  assert.match(text, 'teams-client-nyc  at Sat 16 Jan 21:00 EST · 210 devices targeted  ready');
  assert.match(text, '▓ 164 updated · ✗ 12 failed · completed Sun 17 Jan 04:12 EST');
});

// [behaviour, zone, instant, what the frame shows]
const zoneCases: [string, string, string, string][] = [
  ['Paris in winter is CET', 'Europe/Paris', '2027-01-11T21:00:00Z', 'Mon 11 Jan 22:00 CET'],
  ['Paris in summer is CEST', 'Europe/Paris', '2027-07-11T21:00:00Z', 'Sun 11 Jul 23:00 CEST'],
  ['New York in winter is EST, and the day can be the one before UTC\'s', 'America/New_York', '2027-01-17T02:00:00Z', 'Sat 16 Jan 21:00 EST'],
  ['New York in summer is EDT', 'America/New_York', '2027-07-17T02:00:00Z', 'Fri 16 Jul 22:00 EDT'],
  ['Lisbon in winter is WET', 'Europe/Lisbon', '2027-01-11T21:00:00Z', 'Mon 11 Jan 21:00 WET'],
  ['Paris right after the spring change is CEST', 'Europe/Paris', '2027-03-28T01:00:00Z', 'Sun 28 Mar 03:00 CEST'],
  ['a zone without an English abbreviation shows its offset', 'Asia/Kolkata', '2027-01-11T21:00:00Z', 'Tue 12 Jan 02:30 GMT+5:30'],
  ['UTC is UTC', 'UTC', '2027-01-11T21:00:00Z', 'Mon 11 Jan 21:00 UTC'],
  ['a name that is not a zone falls back to UTC', 'Mars/Olympus', '2027-01-11T21:00:00Z', 'Mon 11 Jan 21:00 UTC'],
];
for (const [name, timeZone, at, expected] of zoneCases) {
  test(`local times: ${name}`, () => {
    assert.is(formatZoned(Date.parse(at), timeZone), expected);
    const before = Date.parse(at) - 3 * 86_400_000;
    const text = frame({ now: before, groups: [{ ...paris, timeZone, nextActionTime: Date.parse(at) }] });
    assert.match(text, `next action ${expected} (in 3 days)`);
    assert.match(text, `    now ${formatZoned(before, timeZone)} · `);
  });
}

// [behaviour, next action, next window, what the frame says]
const now = Date.parse('2027-01-11T20:00:00Z');
const nextCases: [string, number | undefined, { name: string; start: number; end: number } | undefined, string | RegExp][] = [
  ['a next action already past is due now, never a past time', now - 20 * 60_000, undefined, 'next action due now'],
  ['a next action at this very instant is due now', now, undefined, 'next action due now'],
  ['a next action later today says today, in the time of the group', now + 2 * 3_600_000, undefined, 'next action today 23:00 CET (in 2 h)'],
  ['a next action after local midnight says tomorrow', now + 4 * 3_600_000, undefined, 'next action tomorrow 01:00 CET (in 4 h)'],
  ['a next action further ahead says its day', now + 3 * 86_400_000, undefined, 'next action Thu 14 Jan 21:00 CET (in 3 days)'],
  ['a window that started is open until its end', undefined, { name: 'weeknights', start: now - 3_600_000, end: now + 5 * 3_600_000 }, 'window open until Tue 12 Jan 02:00 CET'],
  ['a window ahead is the next window', undefined, { name: 'weeknights', start: now + 3_600_000, end: now + 5 * 3_600_000 }, 'next window today 22:00 CET (in 1 h)'],
  ['a window already over is not shown', undefined, { name: 'weeknights', start: now - 5 * 3_600_000, end: now - 3_600_000 }, / now Mon 11 Jan 21:00 CET · firmware 1\.9\.4 wave 2\/3 Stopped\n/],
];
for (const [name, nextActionTime, nextWindow, expected] of nextCases) {
  test(`what comes next: ${name}`, () => {
    const text = frame({ now, groups: [{ ...paris, nextActionTime, nextWindow }] });
    assert.match(text, expected);
    assert.not.match(text, / ago\)/, 'never a time in the past');
  });
}

test('the counts of one snapshot are the same in every frame drawn from it, whatever the clock says', () => {
  const counts = (text: string) => text.split('\n').filter((l) => /devices up to date|updates \(|updated ·/.test(l)).map((l) => l.replace(/ {2}(STALLED|ready|working).*/, ''));
  const first = counts(frame({ now: Date.parse('2027-01-11T00:00:00Z') }));
  assert.equal(counts(frame({ now: Date.parse('2027-01-11T00:00:00Z') })), first);
  assert.equal(counts(frame({ now: Date.parse('2027-01-12T13:00:00Z') })), first);
});

test('the total of a group is its devices, read or not: it stays put while the fleet is being read', () => {
  const reading = [undefined, tally({ upToDate: 1 }), tally({ upToDate: 5, waiting: 4 }), tally({ upToDate: 5, waiting: 4, failed: 3 })];
  const totals = reading.map((devices) => /\d+\/(\d+) +devices up to date/.exec(frame({ groups: [{ ...paris, devices, members: 12 }] }))![1]);
  assert.equal(totals, ['12', '12', '12', '12']);
  const half = frame({ groups: [{ ...paris, devices: tally({ upToDate: 6 }), members: 12 }], barWidth: 10 });
  assert.match(half, '[█████     ]    6/12   devices up to date');
  assert.match(half, '6 not read yet');
});

test('colour on: states get their colour next to their symbol and word; the text is the same as without colour', () => {
  const plain = frame({ colour: false });
  const coloured = frame({ colour: true });
  assert.not.ok(plain.includes('\x1b'), 'no escape code without colour');
  assert.ok(coloured.includes('\x1b[31m✗ 2 failed\x1b[0m'), 'failed in red, with its symbol and word');
  assert.match(coloured, /\x1b\[1;92m▓+\x1b\[0m/, 'updated cells in bright green');
  assert.match(coloured, /\x1b\[32m█+\x1b\[0m/, 'up-to-date cells in green');
  assert.ok(coloured.includes('\x1b[31mSTALLED (FailureThresholdExceeded)\x1b[0m'));
  assert.is(coloured.replace(sgr, ''), plain);
});

test('NO_COLOR on a terminal: the demo asks for no colour and the frame has no escape code', () => {
  const colour = shouldColour({ isTTY: true }, { NO_COLOR: '1' });
  assert.is(colour, false);
  assert.not.ok(frame({ colour }).includes('\x1b'));
  assert.ok(frame({ colour: shouldColour({ isTTY: true }, {}) }).includes('\x1b['), 'the same terminal without NO_COLOR gets colour');
});

const ending = (over: Partial<DemoEndingInput> = {}) => renderDemoEnding({
  how: 'complete',
  days: 37.21,
  devices: tally({ upToDate: 400 }),
  problems: [],
  operations: { started: 1000, succeeded: 942, failed: 58, inFlight: 0 },
  statusCommits: 54,
  repoDir: '/tmp/demo/config',
  ...over,
});
const problem = (i: number, state: 'failed' | 'refused' = 'failed') => ({ state, file: 'groups/general-nyc.yaml', device: `phone-nyc-${i}`, softwareType: 'firmware', version: '2.10.17', detail: 'DownloadFailed The device could not download the package.' });

// [behaviour, input, what the ending says, what it never says]
const endingCases: [string, Partial<DemoEndingInput>, (string | RegExp)[], (string | RegExp)[]][] = [
  ['complete with nothing failed or refused says so', {}, ['Complete for now after 37.2 simulated days: no device has a failed or refused update.', 'updates (one device × one software each): 1000 started · 942 succeeded · 58 failed · 0 in flight; 54 status commits.'], [/statuses in/]],
  ['complete with failures says how many devices failed, and where to look', { devices: tally({ upToDate: 400, failed: 58 }), problems: Array.from({ length: 58 }, (_, i) => problem(i)) },
    ['Complete for now after 37.2 simulated days — ✗ 58 devices failed; they wait for a person.', 'The statuses in /tmp/demo/config name them', '  ✗ failed   groups/general-nyc.yaml  phone-nyc-0  firmware 2.10.17: DownloadFailed The device could not download the package.', '  … and 53 more', 'cd /tmp/demo/config && git log -p'],
    [/rollout complete/i, /no device has/]],
  ['failed and refused are both counted, the unit said once', { devices: tally({ failed: 1, refused: 6 }), problems: [problem(1), problem(2, 'refused')] }, ['— ✗ 1 device failed · ! 6 refused; they wait for a person.', '  ! refused  groups/general-nyc.yaml  phone-nyc-2'], [/… and/]],
  ['the day limit says the rollout was not complete', { how: 'maxDays', days: 45.02 }, ['Stopped after 45.0 simulated days (the --max-days limit), before the rollout was complete: no device has a failed or refused update.'], [/Complete for now/]],
  ['Ctrl-C says so, with the failures so far', { how: 'interrupted', days: 3, devices: tally({ failed: 2 }), problems: [problem(1)] }, ['Stopped (Ctrl-C) after 3.0 simulated days — ✗ 2 devices failed'], [/Complete/]],
  ['what `why` says of the first failed device is quoted', { devices: tally({ failed: 1 }), problems: [problem(1)], why: { device: 'phone-nyc-1', blocker: 'firmware: the update to 2.10.17 failed' } },
    ['firmwarden why DEVICE PATH tells one device\'s whole story; of phone-nyc-1, at the end of the demo, it says:\n  firmware: the update to 2.10.17 failed\n'], []],
];
for (const [name, over, says, never] of endingCases) {
  test(`ending: ${name}`, () => {
    const text = ending(over);
    for (const s of says) assert.match(text, s);
    for (const n of never) assert.not.match(text, n);
    assert.not.ok(text.includes('\x1b'));
  });
}

test('ending: colour marks failures in red with their symbol, the text unchanged', () => {
  const over = { devices: tally({ failed: 2 }), problems: [problem(1)] };
  const coloured = ending({ ...over, colour: true });
  assert.ok(coloured.includes('\x1b[31m✗ 2 devices failed\x1b[0m'));
  assert.is(coloured.replace(sgr, ''), ending(over));
});

// Group and schedule names come from manifests, versions and errors from devices: hostile input.
const frameWith = (value: string, colour = false) => renderDemoFrame({
  now: Date.parse('2027-01-11T00:00:00Z'),
  groups: [
    { name: value, phase: 'Final', devices: tally({ upToDate: 3 }), rollouts: [{ softwareType: 'firmware', version: value, state: 'Progressing', wave: 1, waves: 2 }], conditions: [{ type: 'Stalled', status: 'True', reason: value }] },
    { name: 'lab', devices: undefined },
  ],
  schedules: [{ name: value, reached: { updated: 1, updating: 0, failed: 0 } }],
  operations: noOps,
  colour,
});
for (const [what, value] of hostile) {
  test(`a frame with ${what} in names and versions keeps its lines and columns`, () => {
    const frame = frameWith(value);
    const benign = frameWith('benign');
    assert.is(frame.split('\n').length, benign.split('\n').length, frame);
    assertNoRawControls(frame, what);
    assertNoWorkflowCommand(frame, what);
    const bars = frame.split('\n').map((l) => l.search(/\[[█▓▒░✗! -]{30}\]/u)).filter((i) => i >= 0);
    assert.is(new Set(bars.slice(0, 2)).size, 1, `the bars of both groups start in one column: ${frame}`);
  });

  test(`a coloured frame with ${what}: the only control sequences are its own colours`, () => {
    const coloured = frameWith(value, true);
    assert.is(coloured.replace(sgr, ''), frameWith(value), 'the same text as without colour');
    assertNoRawControls(coloured.replace(sgr, ''), what);
  });

  test(`an ending with ${what} in files, devices, errors and the repo path keeps its lines`, () => {
    const over: Partial<DemoEndingInput> = {
      devices: tally({ failed: 1 }),
      problems: [{ state: 'failed', file: value, device: value, softwareType: 'firmware', version: value, detail: value }],
      why: { device: value, blocker: value },
      repoDir: value,
    };
    const text = ending(over);
    assert.is(text.split('\n').length, ending({ ...over, problems: [{ ...over.problems![0]!, file: 'f', device: 'd', version: 'v', detail: 'e' }], why: { device: 'd', blocker: 'b' }, repoDir: 'r' }).split('\n').length, text);
    assertNoRawControls(text, what);
    assertNoWorkflowCommand(text, what);
    assertNoRawControls(ending({ ...over, colour: true }).replace(sgr, ''), what);
  });
}

test.run();
