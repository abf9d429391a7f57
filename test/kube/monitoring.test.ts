// examples/deploy/monitoring on a real API server with the Prometheus Operator's CRDs (generated
// from the operator's Go API types by scripts/provision-monitoring-crds.sh): the ServiceMonitor
// and the PrometheusRule apply, the server's schema keeps every field of them (a misspelt key
// would be pruned), and a rule without an expression is refused, so the schema is really checked.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { accessSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'yaml';
import { startKubeEnv, type KubeEnv } from './envtest.ts';
import { monitoringDir, prometheusRule, root } from '../support/monitoring.ts';

/** The folder provision-monitoring-crds.sh wrote; missing is an error, never a skip. */
function crdDir(env: NodeJS.ProcessEnv = process.env): string {
  let dir = env.FIRMWARDEN_MONITORING_CRDS ?? '';
  if (!dir) {
    try {
      const file = join(env.FIRMWARDEN_CACHE || join(homedir(), '.cache', 'firmwarden'), 'monitoring-crds', 'current.env');
      dir = /^FIRMWARDEN_MONITORING_CRDS=(.*)$/m.exec(readFileSync(file, 'utf8'))?.[1] ?? '';
    } catch {
      dir = '';
    }
  }
  try {
    accessSync(join(dir, 'monitoring.coreos.com_prometheusrules.yaml'));
    return dir;
  } catch {
    throw new Error('the Prometheus Operator CRDs are missing: run scripts/provision-monitoring-crds.sh (npm test runs it first)');
  }
}

const monitoring = suite<{ env: KubeEnv | undefined }>('examples/deploy/monitoring on kube-apiserver', { env: undefined });

monitoring.before(async (ctx) => {
  const dir = crdDir();
  ctx.env = await startKubeEnv();
  await ctx.env.kubectlOk(['apply', '--server-side', '-f', join(dir, 'monitoring.coreos.com_prometheusrules.yaml'), '-f', join(dir, 'monitoring.coreos.com_servicemonitors.yaml')]);
  await ctx.env.kubectlOk(['wait', '--for=condition=Established', '--timeout=60s', 'crd/prometheusrules.monitoring.coreos.com', 'crd/servicemonitors.monitoring.coreos.com']);
  await ctx.env.ensureNamespace('firmwarden');
});
monitoring.after(async (ctx) => {
  await ctx.env?.close();
});

monitoring('the ServiceMonitor and the PrometheusRule apply, and the server keeps every field', async ({ env }) => {
  const r = await env!.kubectl(['apply', '-f', 'examples/deploy/monitoring/servicemonitor.yaml', '-f', 'examples/deploy/monitoring/prometheus-rule.yaml'], { cwd: root });
  assert.is(r.code, 0, r.stderr);
  assert.match(r.stdout, 'servicemonitor.monitoring.coreos.com/firmwarden created');
  assert.match(r.stdout, 'prometheusrule.monitoring.coreos.com/firmwarden created');
  const rule = JSON.parse(await env!.kubectlOk(['get', 'prometheusrule', 'firmwarden', '-n', 'firmwarden', '-o', 'json'])) as { spec: unknown };
  assert.equal(rule.spec, prometheusRule().spec, 'the stored spec is the file\'s: no field pruned');
  const monitor = JSON.parse(await env!.kubectlOk(['get', 'servicemonitor', 'firmwarden', '-n', 'firmwarden', '-o', 'json'])) as { spec: unknown };
  assert.equal(monitor.spec, (parse(readFileSync(join(monitoringDir, 'servicemonitor.yaml'), 'utf8')) as { spec: unknown }).spec);
});

monitoring('a rule without an expression is refused by the CRD\'s schema', async ({ env }) => {
  const doc = prometheusRule();
  delete (doc.spec.groups[0]!.rules[0] as { expr?: string }).expr;
  const r = await env!.kubectl(['apply', '--dry-run=server', '-f', '-'], { input: JSON.stringify({ ...doc, metadata: { ...doc.metadata, name: 'broken' } }) });
  assert.is.not(r.code, 0);
  assert.match(r.stderr, /expr: Required value/);
});

monitoring.run();
