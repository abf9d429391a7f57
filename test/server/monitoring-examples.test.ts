// examples/deploy/monitoring against real tools: promtool (Prometheus' own parser, built by
// scripts/provision-promtool.sh) checks the PrometheusRule's rules and the dashboard's queries
// and runs a unit test per alert (it fires on the series it watches, after its `for`, and stays
// quiet otherwise); then a real `firmwarden run --dir` process on the examples and the
// in-process emulator serves /metrics, which holds a sample of every metric they name, rollout
// gauges that agree with the statuses it wrote, and no series of a group deleted from the folder.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { spawn, type ChildProcess } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse, stringify } from 'yaml';
import {
  dashboard,
  dashboardQueries,
  kubernetesOnlyMetrics,
  metricNames,
  monitoredMetricNames,
  prometheusRule,
  promtool,
  root,
  sampleNames,
} from '../support/monitoring.ts';
import { seriesPerGroup } from '../../controller/status/rollout-gauges.ts';

const alerts = ['RolloutStopped', 'ReconcileErrors', 'LeaderMissing', 'StatusWriteFailing', 'OperationsTimedOut', 'FleetThrottled'];

const Rules = suite('the PrometheusRule');

Rules('is a monitoring.coreos.com/v1 PrometheusRule with the six alerts, each with for, a severity, a summary, a description and a runbook', () => {
  const doc = prometheusRule();
  assert.is(doc.apiVersion, 'monitoring.coreos.com/v1');
  assert.is(doc.kind, 'PrometheusRule');
  const rules = doc.spec.groups.flatMap((g) => g.rules);
  assert.equal(rules.map((r) => r.alert).sort(), [...alerts].sort());
  for (const r of rules) {
    assert.match(r.for ?? '', /^\d+[smh]$/, `${r.alert}: for`);
    assert.ok(['warning', 'critical'].includes(r.labels?.severity ?? ''), `${r.alert}: severity`);
    for (const key of ['summary', 'description', 'runbook']) assert.ok((r.annotations?.[key] ?? '').length > 20, `${r.alert}: annotation ${key}`);
  }
});

Rules('promtool check rules accepts its rule groups: every expression, duration and template', () => {
  const dir = mkdtempSync(join(tmpdir(), 'fw-rules-'));
  try {
    writeFileSync(join(dir, 'rules.yaml'), stringify(prometheusRule().spec));
    const r = promtool(['check', 'rules', 'rules.yaml'], dir);
    assert.is(r.code, 0, r.output);
    assert.match(r.output, 'SUCCESS: 6 rules found');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

Rules('promtool rejects a rule file with a broken expression (the check is real)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'fw-rules-'));
  try {
    const spec = prometheusRule().spec;
    spec.groups[0]!.rules[0]!.expr = 'max by (namespace (firmwarden_policy_rollout_stopped) == 1';
    writeFileSync(join(dir, 'rules.yaml'), stringify(spec));
    const r = promtool(['check', 'rules', 'rules.yaml'], dir);
    assert.is.not(r.code, 0);
    assert.match(r.output, /parse error|unexpected/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

/** One promtool unit test: series in, then the alerts expected at given times. */
interface AlertCase {
  name: string;
  series: Record<string, string>;
  expect: { at: string; alert: string; labels: Record<string, string>[] }[];
}

const controller = 'controller="firmwarden"';
const cases: AlertCase[] = [
  {
    name: 'RolloutStopped: a stopped rollout after 5 minutes, not the other software type, not before',
    series: {
      'firmwarden_policy_rollout_stopped{namespace="rooms",name="general",software_type="firmware"}': '0 0 1x20',
      'firmwarden_policy_rollout_stopped{namespace="rooms",name="general",software_type="teamsClient"}': '0x22',
    },
    expect: [
      { at: '5m', alert: 'RolloutStopped', labels: [] },
      { at: '10m', alert: 'RolloutStopped', labels: [{ severity: 'warning', namespace: 'rooms', name: 'general', software_type: 'firmware' }] },
    ],
  },
  {
    name: 'ReconcileErrors: every reconcile failing for 15 minutes',
    series: {
      [`controller_runtime_reconcile_total{${controller},result="error"}`]: '0+1x60',
      [`controller_runtime_reconcile_total{${controller},result="success"}`]: '0x60',
      [`controller_runtime_reconcile_errors_total{${controller}}`]: '0+1x60',
    },
    expect: [
      { at: '10m', alert: 'ReconcileErrors', labels: [] },
      { at: '40m', alert: 'ReconcileErrors', labels: [{ severity: 'warning' }] },
    ],
  },
  {
    name: 'ReconcileErrors: one reconcile in three failing is not enough',
    series: {
      [`controller_runtime_reconcile_total{${controller},result="error"}`]: '0+1x60',
      [`controller_runtime_reconcile_total{${controller},result="success"}`]: '0+2x60',
      [`controller_runtime_reconcile_errors_total{${controller}}`]: '0+1x60',
    },
    expect: [{ at: '40m', alert: 'ReconcileErrors', labels: [] }],
  },
  {
    name: 'LeaderMissing: two replicas standing by',
    series: {
      'leader_election_master_status{name="firmwarden-controller",pod="a"}': '0x20',
      'leader_election_master_status{name="firmwarden-controller",pod="b"}': '0x20',
    },
    expect: [{ at: '10m', alert: 'LeaderMissing', labels: [{ severity: 'critical' }] }],
  },
  {
    name: 'LeaderMissing: no replica reporting at all',
    series: { 'up{job="something-else"}': '1x20' },
    expect: [{ at: '10m', alert: 'LeaderMissing', labels: [{ severity: 'critical', name: 'firmwarden-controller' }] }],
  },
  {
    name: 'LeaderMissing: one leader and one standby is fine',
    series: {
      'leader_election_master_status{name="firmwarden-controller",pod="a"}': '1x20',
      'leader_election_master_status{name="firmwarden-controller",pod="b"}': '0x20',
    },
    expect: [{ at: '10m', alert: 'LeaderMissing', labels: [] }],
  },
  {
    name: 'StatusWriteFailing: writes failing and none succeeding',
    series: {
      'firmwarden_status_writes_total{result="error"}': '0+1x40',
      'firmwarden_status_writes_total{result="written"}': '0x40',
      'firmwarden_status_writes_total{result="unchanged"}': '0x40',
    },
    expect: [{ at: '30m', alert: 'StatusWriteFailing', labels: [{ severity: 'warning' }] }],
  },
  {
    name: 'StatusWriteFailing: a failure now and then among successful writes is not',
    series: {
      'firmwarden_status_writes_total{result="error"}': '0+1x40',
      'firmwarden_status_writes_total{result="written"}': '0x40',
      'firmwarden_status_writes_total{result="unchanged"}': '0+1x40',
    },
    expect: [{ at: '30m', alert: 'StatusWriteFailing', labels: [] }],
  },
  {
    name: 'OperationsTimedOut: a timeout is news for an hour, then not',
    series: { firmwarden_operations_timed_out_total: '0 0 0 1x200' },
    expect: [
      { at: '2m', alert: 'OperationsTimedOut', labels: [] },
      { at: '10m', alert: 'OperationsTimedOut', labels: [{ severity: 'warning' }] },
      { at: '130m', alert: 'OperationsTimedOut', labels: [] },
    ],
  },
  {
    name: 'FleetThrottled: two throttled answers a minute for half an hour',
    series: { firmwarden_fleet_throttled_total: '0+2x60' },
    expect: [{ at: '40m', alert: 'FleetThrottled', labels: [{ severity: 'warning' }] }],
  },
  {
    name: 'FleetThrottled: one every two minutes is what the pacer is for',
    series: { firmwarden_fleet_throttled_total: '0+0.5x60' },
    expect: [{ at: '40m', alert: 'FleetThrottled', labels: [] }],
  },
];

Rules('promtool test rules: each alert fires on what it watches, after its for, and stays quiet otherwise', () => {
  const dir = mkdtempSync(join(tmpdir(), 'fw-rules-'));
  try {
    // Annotations are checked by `check rules` above; here only when alerts fire and with which labels.
    const spec = prometheusRule().spec;
    for (const g of spec.groups) for (const r of g.rules) delete r.annotations;
    writeFileSync(join(dir, 'rules.yaml'), stringify(spec));
    const tests = cases.map((c) => ({
      name: c.name,
      interval: '1m',
      input_series: Object.entries(c.series).map(([series, values]) => ({ series, values })),
      alert_rule_test: c.expect.map((e) => ({ eval_time: e.at, alertname: e.alert, exp_alerts: e.labels.map((labels) => ({ exp_labels: labels })) })),
    }));
    writeFileSync(join(dir, 'tests.yaml'), stringify({ rule_files: ['rules.yaml'], evaluation_interval: '1m', tests }));
    const r = promtool(['test', 'rules', 'tests.yaml'], dir);
    assert.is(r.code, 0, r.output);
    assert.match(r.output, 'SUCCESS');
    // Every alert has a case where it fires.
    for (const alert of alerts) assert.ok(cases.some((c) => c.expect.some((e) => e.alert === alert && e.labels.length > 0)), `${alert} fires in some case`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

Rules.run();

const Dashboard = suite('the Grafana dashboard');

Dashboard('has panels for progress, failures, waves, reconciles, the fleet API and operations, all on the datasource variable', () => {
  const d = dashboard();
  const titles = dashboardQueries().map((q) => q.panel);
  for (const needed of ['Devices up to date, per group', 'Failed and refused devices, per group', 'Current wave, per group', 'Reconciles per second, by result', 'Reconcile errors per second', 'Reconcile duration', 'Fleet API responses per second, by status', 'Throttled answers per minute', 'Operations in flight, by state']) {
    assert.ok(titles.includes(needed), `a panel "${needed}"`);
  }
  assert.ok(d.templating.list.some((v) => v.name === 'datasource' && v.type === 'datasource'));
  const text = readFileSync(join(root, 'examples/deploy/monitoring/grafana-dashboard.json'), 'utf8');
  assert.not.match(text, /"uid": "(?!\$\{datasource\}|firmwarden")/, 'no datasource of somebody else\'s Grafana');
});

Dashboard('every query parses, with Prometheus\' lezer grammar and with promtool', () => {
  const queries = dashboardQueries();
  assert.ok(queries.length >= 12);
  for (const q of queries) assert.is(metricNames(q.expr).errors, 0, `${q.panel}: ${q.expr}`);
  const dir = mkdtempSync(join(tmpdir(), 'fw-dash-'));
  try {
    // promtool parses expressions of rule files only: the queries become recording rules.
    const rules = queries.map((q, i) => ({ record: `firmwarden:dashboard_query_${i}`, expr: q.expr }));
    writeFileSync(join(dir, 'queries.yaml'), stringify({ groups: [{ name: 'dashboard', rules }] }));
    const r = promtool(['check', 'rules', 'queries.yaml'], dir);
    assert.is(r.code, 0, r.output);
    assert.match(r.output, `SUCCESS: ${queries.length} rules found`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

Dashboard.run();

// ---- a real controller's /metrics ------------------------------------------------------------

async function until<T>(what: string, check: () => T | undefined | false | Promise<T | undefined | false>, timeoutMs = 90_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const value = await check();
      if (value) return value;
    } catch (error) {
      last = error;
    }
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}${last ? `: ${String(last)}` : ''}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

/** Sample lines of one metric: labels and value. */
function samples(scrape: string, metric: string): { labels: Record<string, string>; value: number }[] {
  const out: { labels: Record<string, string>; value: number }[] = [];
  for (const line of scrape.split('\n')) {
    if (!line.startsWith(`${metric}{`)) continue;
    const m = /^[^{]+\{(.*)\} (\S+)$/.exec(line);
    if (!m) continue;
    out.push({ labels: Object.fromEntries([...m[1]!.matchAll(/(\w+)="([^"]*)"/g)].map((x) => [x[1]!, x[2]!])), value: Number(m[2]) });
  }
  return out;
}

const Scrape = suite<{ child: ChildProcess | undefined; dir: string; log: string[] }>('a real controller\'s /metrics', { child: undefined, dir: '', log: [] });

Scrape.after(async (ctx) => {
  if (ctx.child && ctx.child.exitCode === null) {
    const exited = new Promise((r) => ctx.child!.once('close', r));
    ctx.child.kill('SIGKILL');
    await exited;
  }
  if (ctx.dir) rmSync(ctx.dir, { recursive: true, force: true });
});

Scrape('firmwarden run --dir on the examples serves every metric the rules and the dashboard name; the gauges match the statuses; a deleted group loses its series', async (ctx) => {
  ctx.dir = mkdtempSync(join(tmpdir(), 'fw-monitoring-'));
  const config = join(ctx.dir, 'config');
  for (const sub of ['groups', 'policies', 'schedules']) cpSync(join(root, 'examples', sub), join(config, sub), { recursive: true });
  const env: Record<string, string | undefined> = { ...process.env };
  for (const k of Object.keys(env)) if (k.startsWith('FIRMWARDEN_') || k.startsWith('AZURE_')) delete env[k];
  ctx.child = spawn(process.execPath, ['--disable-warning=ExperimentalWarning', join(root, 'bin/firmwarden.mjs'), 'run', '--dir', config, '--emulator', '--listen', '127.0.0.1:0', '--resync', '1s', '--state', join(ctx.dir, 'state.json')], {
    cwd: root,
    env,
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  ctx.child.stderr!.on('data', (d: Buffer) => ctx.log.push(d.toString()));
  const tail = () => ctx.log.join('').slice(-3000);
  const url = await until(`the metrics URL\n${tail()}`, () => /metrics and webhook on (http:\/\/\S+)/.exec(ctx.log.join(''))?.[1], 30_000);
  const scrape = async () => (await fetch(`${url}/metrics`)).text();

  // Wait until every group's members have been read (no not_read) and statuses are written.
  const groupFiles = readdirSync(join(config, 'groups')).filter((f) => f.endsWith('.yaml'));
  const statusDevices = () =>
    new Map(groupFiles.map((f) => {
      const doc = parse(readFileSync(join(config, 'groups', f), 'utf8')) as { metadata: { name: string }; status?: { devices?: number } };
      return [doc.metadata.name, doc.status?.devices] as const;
    }));
  const settled = await until(`every group read and its status written\n${tail()}`, async () => {
    const text = await scrape();
    const devices = samples(text, 'firmwarden_group_devices');
    const byGroup = new Map<string, number>();
    for (const s of devices) byGroup.set(s.labels.name!, (byGroup.get(s.labels.name!) ?? 0) + s.value);
    const notRead = devices.filter((s) => s.labels.state === 'not_read').reduce((n, s) => n + s.value, 0);
    const status = statusDevices();
    // The same plan made the statuses and the gauges: a group's devices by state add up to its status.devices.
    const agree = [...status].every(([name, n]) => n !== undefined && byGroup.get(name) === n);
    return byGroup.size === groupFiles.length && notRead === 0 && agree ? { text, byGroup } : undefined;
  });

  const served = sampleNames(settled.text);
  const wanted = monitoredMetricNames();
  const missing = [...wanted].filter((n) => !served.has(n) && !kubernetesOnlyMetrics.has(n));
  assert.equal(missing, [], `metrics the rules or the dashboard name that /metrics does not serve:\n${missing.join('\n')}`);
  assert.ok(wanted.size >= 15, `${wanted.size} metric names found in the rules and the dashboard`);

  // Bounded labels: namespace, name and state only, seven states per group; no device id, no version.
  const devices = samples(settled.text, 'firmwarden_group_devices');
  assert.is(devices.length, 7 * groupFiles.length);
  for (const s of devices) assert.equal(Object.keys(s.labels).sort(), ['name', 'namespace', 'state']);
  for (const s of samples(settled.text, 'firmwarden_group_rollout_wave')) assert.equal(Object.keys(s.labels).sort(), ['name', 'namespace', 'software_type']);
  // The documented bound: at most seriesPerGroup series per group and per policy.
  const policies = readdirSync(join(config, 'policies')).filter((f) => f.endsWith('.yaml')).length;
  const rolloutSeries = settled.text.split('\n').filter((l) => /^firmwarden_(group|policy)_\w+\{/.test(l)).length;
  assert.ok(rolloutSeries <= seriesPerGroup * (groupFiles.length + policies), `${rolloutSeries} rollout series for ${groupFiles.length} groups and ${policies} policies`);
  assert.ok(samples(settled.text, 'firmwarden_fleet_requests_total').some((s) => s.labels.code === '200' && s.value > 0), 'fleet requests counted');

  // A group deleted from the folder loses every series at the next reconcile; the others keep theirs.
  rmSync(join(config, 'groups', 'lab.yaml'));
  const after = await until(`the lab group's series gone\n${tail()}`, async () => {
    const text = await scrape();
    return samples(text, 'firmwarden_group_devices').some((s) => s.labels.name === 'lab') ? undefined : text;
  }, 30_000);
  for (const metric of ['firmwarden_group_devices', 'firmwarden_group_rollout_wave', 'firmwarden_group_rollout_waves', 'firmwarden_group_rollout_stopped', 'firmwarden_group_suspended']) {
    assert.not.ok(samples(after, metric).some((s) => s.labels.name === 'lab'), `${metric}: no lab series`);
  }
  assert.is(new Set(samples(after, 'firmwarden_group_devices').map((s) => s.labels.name)).size, groupFiles.length - 1);
});

Scrape.run();
