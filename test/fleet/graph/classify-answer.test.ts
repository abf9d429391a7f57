// The answer table, pure: every row (status × error code × Retry-After form → outcome), the
// error codes it reads, and the one retry rule (nextStep) both senders follow.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { answerTable, classifyAnswer, nextStep, readErrorCodes, type AnswerClass, type AnswerOutcome, type StepContext } from '../../../controller/fleet/graph/classify-answer.ts';

const now = Date.parse('2025-05-21T16:11:00Z');
const graphError = (code: string, innerCode?: string) => ({ error: { code, message: 'm', innerError: { ...(innerCode ? { code: innerCode } : {}), date: '2025-05-21T16:11:00' } } });
const throttledBody = { error: { code: 'TooManyRequests', message: 'Please retry again later.', innerError: { code: '429', status: '429', message: 'Please retry after' } } };

// Retry-After forms: none, delta-seconds, an HTTP date 30 s after `now`, a date already past, unreadable.
const forms = { none: undefined, seconds: '12', date: 'Wed, 21 May 2025 16:11:30 GMT', pastDate: 'Wed, 21 May 2025 16:10:00 GMT', unreadable: 'soon' } as const;
const waitOf: Record<keyof typeof forms, number | undefined> = { none: undefined, seconds: 12_000, date: 30_000, pastDate: 0, unreadable: undefined };

interface Case {
  readonly status: number;
  readonly body?: unknown;
  readonly row: string;
  readonly outcome: AnswerOutcome;
  readonly notActedOn?: boolean;
  readonly slowDown?: boolean;
}

const cases: Case[] = [
  { status: 200, row: 'success', outcome: 'ok' },
  { status: 202, row: 'success', outcome: 'ok' },
  { status: 204, row: 'success', outcome: 'ok' },
  { status: 401, body: graphError('InvalidAuthenticationToken'), row: '401', outcome: 'auth', notActedOn: true },
  { status: 403, body: graphError('accessDenied'), row: '403', outcome: 'auth' },
  { status: 404, body: graphError('itemNotFound'), row: '404', outcome: 'not-found' },
  { status: 409, body: graphError('Conflict'), row: '409', outcome: 'conflict' },
  { status: 429, body: throttledBody, row: '429', outcome: 'throttled', notActedOn: true, slowDown: true },
  { status: 429, row: '429', outcome: 'throttled', notActedOn: true, slowDown: true },
  { status: 424, body: graphError('FailedDependency'), row: '424', outcome: 'transient', notActedOn: true },
  { status: 424, body: throttledBody, row: '424 naming throttling', outcome: 'throttled', notActedOn: true, slowDown: true },
  { status: 424, body: graphError('FailedDependency', '429'), row: '424 naming throttling', outcome: 'throttled', notActedOn: true, slowDown: true },
  { status: 424, body: graphError('activityLimitReached'), row: '424 naming throttling', outcome: 'throttled', notActedOn: true, slowDown: true },
  { status: 503, body: graphError('serviceNotAvailable'), row: '503', outcome: 'throttled', slowDown: true },
  { status: 408, row: '408 or 5xx', outcome: 'transient' },
  { status: 500, body: graphError('generalException'), row: '408 or 5xx', outcome: 'transient' },
  { status: 502, row: '408 or 5xx', outcome: 'transient' },
  { status: 504, body: graphError('gatewayTimeout'), row: '408 or 5xx', outcome: 'transient' },
  { status: 400, body: graphError('BadRequest'), row: 'other 4xx', outcome: 'permanent' },
  { status: 400, body: graphError('BadRequest', '429'), row: 'other 4xx', outcome: 'permanent' },
  { status: 405, body: graphError('Request_BadRequest'), row: 'other 4xx', outcome: 'permanent' },
  { status: 410, row: 'other 4xx', outcome: 'permanent' },
];

const table = suite('answer table');
for (const c of cases) {
  for (const [form, value] of Object.entries(forms) as [keyof typeof forms, string | undefined][]) {
    const retryable = c.outcome === 'throttled' || c.outcome === 'transient';
    const expected: AnswerClass = {
      outcome: c.outcome, status: c.status, row: c.row, codes: readErrorCodes(c.body), retryable,
      notActedOn: c.notActedOn ?? false, slowDown: c.slowDown ?? false,
      // Only an answer worth another try has its Retry-After read.
      retryAfterMs: retryable ? waitOf[form] : undefined,
    };
    const code = readErrorCodes(c.body).join('/') || 'no code';
    table(`HTTP ${c.status} ${code}, Retry-After ${form} → ${c.outcome} (row ${c.row})`, () => {
      assert.equal(classifyAnswer({ status: c.status, headers: value === undefined ? {} : { 'retry-after': value }, body: c.body }, now), expected);
    });
  }
}

table('every row of the table is exercised above', () => {
  assert.equal([...new Set(cases.map((c) => c.row))].sort(), answerTable.map((r) => r.row).sort());
});

table('error codes: error.code, then each nested innerError.code; the OAuth error string; nothing from a non-error body', () => {
  assert.equal(readErrorCodes(throttledBody), ['TooManyRequests', '429']);
  assert.equal(readErrorCodes({ error: { code: 'a', innerError: { code: 'b', innerError: { code: 'c' } } } }), ['a', 'b', 'c']);
  assert.equal(readErrorCodes({ error: 'invalid_client', error_description: 'AADSTS7000215' }), ['invalid_client']);
  assert.equal(readErrorCodes({ value: [] }), []);
  assert.equal(readErrorCodes(undefined), []);
  assert.equal(readErrorCodes('<html>'), []);
});

const steps = suite('nextStep: the one retry rule');
const context = (over: Partial<StepContext> = {}): StepContext => ({ once: false, canRefreshToken: true, attempts: 1, maxAttempts: 6, backoffMs: () => 700, maxWaitMs: 300_000, ...over });
const answer = (status: number, retryAfter?: string, body?: unknown) =>
  classifyAnswer({ status, headers: retryAfter === undefined ? {} : { 'retry-after': retryAfter }, body }, now);

const stepCases: [string, AnswerClass, Partial<StepContext>, ReturnType<typeof nextStep>][] = [
  ['a success is delivered', answer(200), {}, { step: 'deliver' }],
  ['a permanent 4xx is delivered for the caller to read', answer(404), {}, { step: 'deliver' }],
  ['a conflict is delivered (the caller adopts the queued operation)', answer(409), { once: true }, { step: 'deliver' }],
  ['a first 401 gets a fresh token', answer(401), {}, { step: 'refresh-token' }],
  ['a second 401 (or one inside a $batch) is delivered', answer(401), { canRefreshToken: false }, { step: 'deliver' }],
  ['a 429 with seconds waits them', answer(429, '12'), {}, { step: 'retry', waitMs: 12_000, serverAsked: true }],
  ['a 429 with an HTTP date waits until then', answer(429, forms.date), {}, { step: 'retry', waitMs: 30_000, serverAsked: true }],
  ['a 5xx without Retry-After backs off', answer(500), {}, { step: 'retry', waitMs: 700, serverAsked: false }],
  ['an unreadable Retry-After backs off', answer(503, 'soon'), {}, { step: 'retry', waitMs: 700, serverAsked: false }],
  ['a POST answered 429 is sent again (not acted on)', answer(429, '2'), { once: true }, { step: 'retry', waitMs: 2_000, serverAsked: true }],
  ['a POST answered 424 is sent again (not run)', answer(424), { once: true }, { step: 'retry', waitMs: 700, serverAsked: false }],
  ['a POST answered 500 is not: its outcome is unknown', answer(500), { once: true }, { step: 'outcome-unknown' }],
  ['a POST answered 503 is not either', answer(503, '2'), { once: true }, { step: 'outcome-unknown' }],
  ['a wait past the limit gives up with the wait', answer(429, '600'), {}, { step: 'wait-too-long', waitMs: 600_000 }],
  ['an HTTP date past the limit too', answer(429, 'Wed, 21 May 2025 17:11:00 GMT'), {}, { step: 'wait-too-long', waitMs: 3_600_000 }],
  ['the last attempt gives up', answer(429, '2'), { attempts: 6 }, { step: 'attempts-exhausted' }],
  ['a too-long wait is reported before running out of attempts', answer(429, '600'), { attempts: 6 }, { step: 'wait-too-long', waitMs: 600_000 }],
];
for (const [name, a, over, expected] of stepCases) {
  steps(name, () => assert.equal(nextStep(a, context(over)), expected));
}

steps('the backoff is drawn only when the answer names no wait', () => {
  let draws = 0;
  const counting = context({ backoffMs: () => (draws++, 700) });
  nextStep(answer(429, '2'), counting);
  nextStep(answer(404), counting);
  assert.is(draws, 0);
  nextStep(answer(500), counting);
  assert.is(draws, 1);
});

table.run();
steps.run();
