// The benchmark harness's self-checks (bench/support/report.ts, options.ts): a figure that is
// not a number, a zero where work was expected, or a goal on something not measured stops the
// benchmark with a sentence; verdicts and the JSON line come only from finish().
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { BenchError, Report } from '../../bench/support/report.ts';
import { parseOptions } from '../../bench/support/options.ts';

const Checks = suite('bench report checks');

for (const [what, act, said] of [
  ['NaN', (r: Report) => r.figure('plan_ms', NaN, 'ms'), /plan_ms is NaN ms, not a number/],
  ['Infinity', (r: Report) => r.figure('ratio', Infinity, 'x'), /ratio is Infinity x, not a number/],
  ['negative', (r: Report) => r.figure('wall_ms', -3, 'ms'), /negative figure/],
  ['zero time', (r: Report) => r.figure('wall_ms', 0, 'ms'), /wall_ms is 0 ms: nothing was measured/],
  ['no file linted', (r: Report) => r.work('files', 0, 'files', 'firmwarden lint read no file'), /firmwarden lint read no file: 0 files/],
  ['no device planned', (r: Report) => r.work('devices', 0, 'devices', 'the plan has no device'), /the plan has no device/],
  ['other workload', (r: Report) => r.expect('files linted', 0, 100), /files linted: 0, expected 100/],
  ['goal on nothing', (r: Report) => (r.goal('plan-first', 'plan_first_ms', '<', 1000), r.finish()), /goal plan-first is on plan_first_ms, which was not measured/],
] as const) {
  Checks(`${what} is an error with a sentence, and nothing is printed`, () => {
    let out = '';
    const report = new Report('t', {}, (text) => (out += text));
    try {
      act(report);
      assert.unreachable('no error');
    } catch (error) {
      assert.instance(error, BenchError);
      assert.match((error as Error).message, said);
    }
    assert.is(out, '');
  });
}

Checks('a zero count allowed as such is a figure; goals are judged in finish', () => {
  let out = '';
  const report = new Report('t', { runs: 2 }, (text) => (out += text));
  report.figure('throttled', 0, 'responses', { zeroOk: true });
  report.figure('plan_first_ms', 1200, 'ms');
  report.figure('peak_rss_mb', 250.5, 'MB');
  report.goal('plan-first', 'plan_first_ms', '<', 1000);
  report.goal('plan-first', 'peak_rss_mb', '<', 300);
  assert.is(out, '');
  report.finish();
  const lines = out.trim().split('\n');
  assert.equal(lines.slice(0, 5), [
    'throttled: 0 responses',
    'plan_first_ms: 1200 ms',
    'peak_rss_mb: 251 MB',
    'goal plan-first: missed (plan_first_ms 1200 ms, goal < 1000)',
    'goal plan-first: met (peak_rss_mb 251 MB, goal < 300)',
  ]);
  const json = JSON.parse(lines[5]!) as { bench: string; options: unknown; figures: Record<string, { value: number }>; goals: { met: boolean }[] };
  assert.is(json.bench, 't');
  assert.equal(json.options, { runs: 2 });
  assert.is(json.figures.peak_rss_mb?.value, 250.5);
  assert.equal(json.goals.map((g) => g.met), [false, true]);
});

const Options = suite('bench options');
const spec = { files: { kind: 'count', default: 10, help: 'files' }, rate: { kind: 'number', default: 30, min: 0.5, help: 'rate' }, peer: { kind: 'choice', default: 'a', choices: ['a', 'none'], help: 'peer' }, keep: { kind: 'flag', help: 'keep' } } as const;

for (const [argv, expected] of [
  [[], { files: 10, rate: 30, peer: 'a', keep: false }],
  [['--files', '3'], { files: 3, rate: 30, peer: 'a', keep: false }],
  [['--files=3', '--rate=2.5', '--peer=none', '--keep'], { files: 3, rate: 2.5, peer: 'none', keep: true }],
] as const) {
  Options(`${argv.join(' ') || '(none)'} parses`, () => assert.equal(parseOptions('x', spec, argv), expected));
}

for (const [argv, said] of [
  [['--files', 'many'], /--files needs a whole number of at least 1, got "many"/],
  [['--files', '2.5'], /--files needs a whole number/],
  [['--files'], /--files/],
  [['--rate', '0'], /--rate needs a number of at least 0.5, got "0"/],
  [['--peer', 'kubeval'], /--peer is one of a, none, got "kubeval"/],
  [['--devcies', '5'], /Unknown option '--devcies'\.\n/],
  [['100'], /unexpected argument "100"/],
] as const) {
  Options(`${argv.join(' ')} is refused`, () => {
    assert.throws(() => parseOptions('x', spec, argv), (e: Error) => e instanceof BenchError && said.test(e.message));
  });
}

Checks.run();
Options.run();
