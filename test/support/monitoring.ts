// Test helpers for examples/deploy/monitoring: promtool (built by scripts/provision-promtool.sh),
// the PrometheusRule's rule groups, the dashboard's queries, the metric names a PromQL
// expression reads (with Prometheus' own lezer grammar) and the metric names a scrape holds.
import { accessSync, constants, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { parse } from 'yaml';
import { parser } from '@prometheus-io/lezer-promql';

export const root = new URL('../..', import.meta.url).pathname;
export const monitoringDir = join(root, 'examples/deploy/monitoring');

/** The promtool scripts/provision-promtool.sh built: FIRMWARDEN_PROMTOOL or the cache's current.env. Missing is an error, never a skip. */
export function findPromtool(env: NodeJS.ProcessEnv = process.env): string {
  let path = env.FIRMWARDEN_PROMTOOL ?? '';
  if (!path) {
    const file = join(env.FIRMWARDEN_CACHE || join(homedir(), '.cache', 'firmwarden'), 'promtool', 'current.env');
    try {
      path = /^FIRMWARDEN_PROMTOOL=(.*)$/m.exec(readFileSync(file, 'utf8'))?.[1] ?? '';
    } catch {
      path = '';
    }
  }
  try {
    accessSync(path, constants.X_OK);
    return path;
  } catch {
    throw new Error(`promtool not found (FIRMWARDEN_PROMTOOL or ${join('$FIRMWARDEN_CACHE', 'promtool', 'current.env')}): run scripts/provision-promtool.sh (npm test runs it first)`);
  }
}

/** Runs promtool with `args` in `cwd`; its exit code and output. */
export function promtool(args: readonly string[], cwd: string): { code: number | null; output: string } {
  const r = spawnSync(findPromtool(), args, { cwd, encoding: 'utf8', timeout: 60_000 });
  return { code: r.status, output: `${r.stdout ?? ''}${r.stderr ?? ''}` };
}

export interface AlertRule {
  alert: string;
  expr: string;
  for?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
}

/** The PrometheusRule document. */
export function prometheusRule(): { apiVersion: string; kind: string; metadata: { name: string; namespace: string }; spec: { groups: { name: string; rules: AlertRule[] }[] } } {
  return parse(readFileSync(join(monitoringDir, 'prometheus-rule.yaml'), 'utf8'));
}

interface Panel {
  type: string;
  title: string;
  targets?: { expr?: string }[];
  panels?: Panel[];
}

/** The Grafana dashboard document. */
export function dashboard(): { panels: Panel[]; templating: { list: { name: string; type: string; query?: unknown; definition?: string }[] } } {
  return JSON.parse(readFileSync(join(monitoringDir, 'grafana-dashboard.json'), 'utf8'));
}

/** Every PromQL expression of the dashboard's panels, rows' panels included, with its panel title. */
export function dashboardQueries(): { panel: string; expr: string }[] {
  const out: { panel: string; expr: string }[] = [];
  const walk = (panels: readonly Panel[]) => {
    for (const p of panels) {
      for (const t of p.targets ?? []) if (t.expr) out.push({ panel: p.title, expr: t.expr });
      walk(p.panels ?? []);
    }
  };
  walk(dashboard().panels);
  return out;
}

/** Metrics the dashboard's variables list values of (label_values(metric, label)). */
export function dashboardVariableMetrics(): string[] {
  return dashboard().templating.list.flatMap((v) => [...(v.definition ?? '').matchAll(/label_values\(\s*([a-zA-Z_:][a-zA-Z0-9_:]*)/g)].map((m) => m[1]!));
}

/** The metric names an expression selects, and how many syntax errors the grammar found. */
export function metricNames(expr: string): { names: string[]; errors: number } {
  const names: string[] = [];
  let errors = 0;
  parser.parse(expr).iterate({
    enter(node) {
      if (node.type.isError) errors++;
      if (node.name === 'VectorSelector') {
        const id = node.node.getChild('Identifier');
        if (id) names.push(expr.slice(id.from, id.to));
      }
    },
  });
  return { names, errors };
}

/** Every metric name the rules and the dashboard read. */
export function monitoredMetricNames(): Set<string> {
  const exprs = [...prometheusRule().spec.groups.flatMap((g) => g.rules.map((r) => r.expr)), ...dashboardQueries().map((q) => q.expr)];
  return new Set([...exprs.flatMap((e) => metricNames(e).names), ...dashboardVariableMetrics()]);
}

/** Names of the samples a Prometheus text scrape holds (a family announced by # HELP with no sample does not count). */
export function sampleNames(scrape: string): Set<string> {
  const names = new Set<string>();
  for (const line of scrape.split('\n')) {
    const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{| )/.exec(line);
    if (m) names.add(m[1]!);
  }
  return names;
}

/** Metrics only `run --kubernetes` serves (leader election); checked in test/kube/run-kubernetes.test.ts. */
export const kubernetesOnlyMetrics: ReadonlySet<string> = new Set(['leader_election_master_status']);
