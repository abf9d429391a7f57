// The tenants benchmark (bench/tenants.bench.ts) as `npm run bench` runs it: a real process
// at a tiny size on one replica (a real emulator, a real `firmwarden run --dir`), and a bad
// option refused with a sentence.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { spawnSync } from 'node:child_process';

const root = new URL('../..', import.meta.url).pathname;

const Bench = suite('tenants bench as a process');

Bench('2 tenants × 5 devices on one replica: every tenant reconciled, within its limit, no duplicate update, figures in the JSON line', () => {
  const r = spawnSync(process.execPath, ['--disable-warning=ExperimentalWarning', 'bench/tenants.bench.ts', '--tenants', '2', '--devices', '5', '--replicas', '1', '--timeout-s', '50'], { cwd: root, encoding: 'utf8', timeout: 60_000 });
  assert.is(r.status, 0, r.stderr);
  const json = JSON.parse(r.stdout.split('\n').find((l) => l.startsWith('{"bench":"tenants"'))!) as { figures: Record<string, { value: number }>; goals: { row: string; met: boolean }[] };
  const f = (name: string) => json.figures[name]?.value;
  assert.is(f('tenants'), 2);
  assert.ok(f('r1_all_tenants_first_reconcile_s')! > 0);
  assert.ok(f('r1_first_tenant_s')! <= f('r1_all_tenants_first_reconcile_s')!);
  assert.ok(f('r1_peak_rss_max_mb')! > 20, `peak RSS ${f('r1_peak_rss_max_mb')} MB`);
  // A page of devices and a health read per device at least, for each tenant.
  assert.ok(f('r1_requests_per_tenant')! >= 6, `requests per tenant ${f('r1_requests_per_tenant')}`);
  assert.ok(f('r1_worst_tenant_1s_requests')! > 0);
  assert.is(f('r1_tenants_over_limit'), 0);
  assert.is(f('r1_throttled_429'), 0);
  assert.is(f('r1_other_app_requests'), 0);
  assert.is(f('r1_duplicate_updates'), 0);
  assert.is(f('ratio_all_tenants_1_over_3'), undefined, 'no ratio from one setting');
  assert.equal(json.goals.map((g) => [g.row, g.met]), [['tenants-within-limit', true], ['tenants-no-duplicate', true]]);
});

Bench('a replicas setting the benchmark does not know is an error with a sentence, and no figure', () => {
  const r = spawnSync(process.execPath, ['--disable-warning=ExperimentalWarning', 'bench/tenants.bench.ts', '--replicas', '2'], { cwd: root, encoding: 'utf8', timeout: 30_000 });
  assert.is(r.status, 1);
  assert.match(r.stderr, /--replicas is one of 1, 3, 1,3, got "2"/);
  assert.not.match(r.stdout, /"bench"/);
});

Bench.run();
