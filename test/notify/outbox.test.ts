// Routing events to rules, grouping them into messages, the outbox bound, and the order and
// back-off of deliveries. Pure, table-driven.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { NotificationEvent, PendingNotification } from '../../controller/model/notification-events.ts';
import { backoffMs, defaultDeliveryPolicy, enqueue, matches, maxEventsPerMessage, maxOutbox, nextDue, type RouteRule } from '../../controller/notify/outbox.ts';

const t0 = Date.parse('2027-03-01T10:00:00Z');
const event = (key: string, parts: Partial<NotificationEvent> = {}): NotificationEvent => ({ type: 'UpdateFailed', key, subject: 'default/UpdatePolicy/general', groups: ['paris'], policies: ['general'], text: key, time: t0, ...parts });
const rule = (parts: Partial<RouteRule> = {}): RouteRule => ({ key: 'default/trouble', channel: 'default/ops', events: ['UpdateFailed'], groups: [], policies: [], suspended: false, ...parts });

const routing: [string, Partial<RouteRule>, Partial<NotificationEvent>, boolean][] = [
  ['a rule takes its event types', {}, {}, true],
  ['and no other', {}, { type: 'WaveFinished' }, false],
  ['a rule naming a group takes that group\'s events', { groups: ['paris'] }, {}, true],
  ['but not another group\'s', { groups: ['nyc'] }, {}, false],
  ['a rule naming groups and policies takes the events of either', { groups: ['nyc'], policies: ['general'] }, {}, true],
  ['a suspended rule takes nothing', { suspended: true }, {}, false],
  ['a rule takes only its namespace\'s events', { key: 'lab/trouble' }, {}, false],
];
for (const [name, r, e, expected] of routing) test(`matches: ${name}`, () => assert.is(matches(rule(r), event('k', e)), expected));

test('enqueue: one message per rule per call, whatever the number of events; the excess counted', () => {
  const events = Array.from({ length: 200 }, (_, i) => event(`k${i}`));
  const { outbox, dropped } = enqueue([], events, [rule(), rule({ key: 'default/other', channel: 'default/slack' })], t0);
  assert.equal(outbox.map((m) => [m.rule, m.events.length, m.omitted]), [['default/trouble', maxEventsPerMessage, 200 - maxEventsPerMessage], ['default/other', maxEventsPerMessage, 200 - maxEventsPerMessage]]);
  assert.equal(dropped, []);
  assert.is.not(outbox[0]!.id, outbox[1]!.id);
});

test('enqueue: events join the rule\'s message not tried yet, never one already tried', () => {
  const tried: PendingNotification = { ...enqueue([], [event('a')], [rule()], t0).outbox[0]!, attempts: 1 };
  const second = enqueue([tried], [event('b')], [rule()], t0 + 1).outbox;
  assert.equal(second.map((m) => m.events.map((e) => e.key)), [['a'], ['b']]);
  const third = enqueue(second, [event('c')], [rule()], t0 + 2).outbox;
  assert.equal(third.map((m) => m.events.map((e) => e.key)), [['a'], ['b', 'c']]);
  assert.is(third[1]!.id, second[1]!.id, 'the open message keeps its delivery id');
});

test('enqueue: past the bound the oldest messages are dropped, and returned to be logged', () => {
  let outbox: PendingNotification[] = [];
  for (let i = 0; i < maxOutbox; i++) outbox = enqueue(outbox, [event(`k${i}`)], [rule({ key: `default/r${i}` })], t0 + i).outbox;
  const { outbox: next, dropped } = enqueue(outbox, [event('last')], [rule({ key: 'default/last' })], t0 + maxOutbox);
  assert.is(next.length, maxOutbox);
  assert.equal(dropped.map((m) => m.rule), ['default/r0']);
  assert.is(next[next.length - 1]!.rule, 'default/last');
});

test('nextDue: messages of one channel go in order, a channel backing off does not hold up another', () => {
  const [a1, a2, b1] = [
    { ...enqueue([], [event('1')], [rule()], t0).outbox[0]!, id: 'a1' },
    { ...enqueue([], [event('2')], [rule()], t0).outbox[0]!, id: 'a2' },
    { ...enqueue([], [event('3')], [rule({ channel: 'default/slack' })], t0).outbox[0]!, id: 'b1' },
  ];
  const health = new Map([['default/ops', { failures: 2, notBefore: t0 + 10_000 }]]);
  assert.equal(nextDue([a1, a2, b1], health, t0), { due: b1 });
  assert.equal(nextDue([a1, a2], health, t0), { wakeAt: t0 + 10_000 });
  assert.equal(nextDue([a1, a2, b1], health, t0 + 10_000), { due: a1 });
  assert.equal(nextDue([], health, t0), { wakeAt: undefined });
});

const backoffs: [failures: number, random: number, ms: number][] = [
  [1, 0.5, 5_000], [2, 0.5, 10_000], [3, 0.5, 20_000], [8, 0.5, 600_000], [30, 0.5, 600_000], [1, 0, 4_000], [1, 0.999, 5_998],
];
for (const [failures, random, ms] of backoffs) {
  test(`backoffMs: ${failures} failure(s), jitter ${random} → ${ms} ms`, () => assert.is(backoffMs(failures, defaultDeliveryPolicy, random), ms));
}

test.run();
