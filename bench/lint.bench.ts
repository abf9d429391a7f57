// Benchmark: `firmwarden lint DIR --format json` on 1,000 generated manifest files (mixed
// kinds, ~5% with errors), the whole process including start-up, median of 5 runs. Then the
// same files through kubeconform (built with `go install` into a cache folder) with JSON
// schemas derived from ours, for a ratio. Goal: ours under 1 s wall.
// Prints `name: value unit` lines and one JSON line.
// Usage: node bench/lint.bench.ts [--files N] [--runs N] [--keep]
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { join } from 'node:path';
import { bundleSchemas } from '../scripts/gen/bundle.ts';

function arg(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? Number(process.argv[i + 1]) : fallback;
}
const fileCount = arg('files', 1000);
const runs = arg('runs', 5);
const root = new URL('..', import.meta.url).pathname;
const node = join(root, 'node_modules/.bin/node');
const now = '2026-11-22T08:00:00Z';

let seed = 7;
const random = () => {
  seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0;
  return seed / 2 ** 32;
};
const pick = <T>(list: readonly T[]): T => list[Math.floor(random() * list.length)]!;
const zones = ['Europe/Paris', 'America/New_York', 'Europe/Lisbon', 'Asia/Tokyo', 'Australia/Sydney'];

function policy(i: number, broken: boolean): string {
  const phase = pick(['Test', 'General', 'Final']);
  return `# yaml-language-server: $schema=../schemas/updatepolicy.schema.json
apiVersion: firmwarden.dev/v1alpha1
kind: UpdatePolicy
metadata:
  name: policy-${i}
spec:
  description: Generated policy ${i} for the lint benchmark.
  software:
    firmware:
      mode: automatic
      ${broken ? 'phse' : 'phase'}: ${phase}
      versions:
        exclude: ["1.9.${i % 10}"]
    teamsClient:
      mode: automatic
      phase: ${phase}
  maintenanceWindows:
    - name: weeknights
      days: [Mon, Tue, Wed, Thu]
      start: "22:00"
      end: "05:00"
    - name: weekend
      days: [Sat]
      start: "00:00"
      duration: 48h
  freezes:
    - name: year-end
      start: "2026-12-18"
      end: "2027-01-04"
  rollout:
    waves:
      - name: canary
        percent: 5
      - name: early
        count: 10
    bakeTime: 24h
    maxConcurrent: 40
    failureThreshold:
      percent: 15
      minCompleted: 10
`;
}

function group(i: number, policies: number, broken: boolean): string {
  return `# yaml-language-server: $schema=../schemas/devicegroup.schema.json
apiVersion: firmwarden.dev/v1alpha1
kind: DeviceGroup
metadata:
  name: group-${i}
spec:
  description: Generated group ${i}.
  policyRef:
    name: policy-${broken ? 'missing' : Math.floor(random() * policies)}
  selector:
    tags: [site-${i % 50}]
    deviceTypes: [teamsRoom, collaborationBar]
    excludeTags: [lab]
  include: [device-${i}-a, device-${i}-b]
  priority: ${i % 100}
  license: ${pick(['Pro', 'Basic'])}
  timeZone: ${broken ? 'Europe/Pariss' : pick(zones)}
`;
}

function schedule(i: number, groups: number, broken: boolean): string {
  return `# yaml-language-server: $schema=../schemas/scheduledupdate.schema.json
apiVersion: firmwarden.dev/v1alpha1
kind: ScheduledUpdate
metadata:
  name: schedule-${i}
spec:
  description: Generated schedule ${i}.
  targets:
    groupRef:
      name: group-${Math.floor(random() * groups)}
  software:
    - type: teamsClient
      version: latest
    - type: ${broken ? 'teamsclient' : 'firmware'}
      version: "1.14.${i % 20}"
  at: "2026-12-${String(1 + (i % 28)).padStart(2, '0')}T21:00"
  timeZone: ${pick(zones)}
  respectMaintenanceWindows: ${i % 2 === 0}
`;
}

/** Writes the corpus; returns the directory. */
function generate(dir: string): { errors: number } {
  const policies = Math.round(fileCount * 0.2);
  const groups = Math.round(fileCount * 0.5);
  let errors = 0;
  for (let i = 0; i < fileCount; i++) {
    const broken = random() < 0.05;
    if (broken) errors++;
    let text: string;
    let name: string;
    if (i < policies) [name, text] = [`policy-${i}.yaml`, policy(i, broken)];
    else if (i < policies + groups) [name, text] = [`group-${i - policies}.yaml`, group(i - policies, policies, broken)];
    else [name, text] = [`schedule-${i}.yaml`, schedule(i, groups, broken)];
    writeFileSync(join(dir, name), text);
  }
  return { errors };
}

function median(values: number[]): number {
  const s = [...values].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

function timeRuns(command: string, args: string[], expectExit: (code: number | null) => boolean): { ms: number; output: string } {
  const times: number[] = [];
  let output = '';
  for (let r = 0; r < runs; r++) {
    const started = performance.now();
    const res = spawnSync(command, args, { cwd: root, encoding: 'utf8', maxBuffer: 256 * 1024 * 1024 });
    times.push(performance.now() - started);
    if (!expectExit(res.status)) throw new Error(`${command} exited with ${res.status}: ${res.stderr.slice(0, 500)}`);
    output = res.stdout;
  }
  return { ms: median(times), output };
}

/** kubeconform, built once into ~/.cache/firmwarden-bench; undefined when Go is not there. */
function kubeconformBinary(): string | undefined {
  const cache = join(process.env.XDG_CACHE_HOME ?? join(homedir(), '.cache'), 'firmwarden-bench');
  const bin = join(cache, 'bin', 'kubeconform');
  if (existsSync(bin)) return bin;
  mkdirSync(cache, { recursive: true });
  const res = spawnSync('go', ['install', 'github.com/yannh/kubeconform/cmd/kubeconform@latest'], {
    cwd: cache,
    encoding: 'utf8',
    env: { ...process.env, GOPATH: join(cache, 'go'), GOBIN: join(cache, 'bin'), GOFLAGS: '-mod=mod' },
  });
  if (res.status !== 0) {
    process.stderr.write(`kubeconform could not be built: ${res.error?.message ?? res.stderr.slice(0, 500)}\n`);
    return undefined;
  }
  return existsSync(bin) ? bin : undefined;
}

/** One self-contained JSON schema per kind, named as kubeconform looks for it. */
function writeKubeconformSchemas(dir: string): void {
  const { defs, kinds } = bundleSchemas({ dropRefSiblings: false });
  for (const kind of kinds) {
    const schema = { $schema: 'https://json-schema.org/draft/2020-12/schema', ...defs[kind], $defs: defs };
    writeFileSync(join(dir, `${kind.toLowerCase()}_v1alpha1.json`), JSON.stringify(schema));
  }
}

const work = mkdtempSync(join(tmpdir(), 'firmwarden-lint-bench-'));
try {
  const manifests = join(work, 'manifests');
  const schemas = join(work, 'schemas');
  mkdirSync(manifests);
  mkdirSync(schemas);
  const { errors } = generate(manifests);

  const ours = timeRuns(node, ['--disable-warning=ExperimentalWarning', 'bin/firmwarden.mjs', 'lint', manifests, '--format', 'json', '--now', now], (c) => c === 0 || c === 1);
  const report = JSON.parse(ours.output) as { findings: { file: string; severity: string }[]; summary: { files: number; documents: number } };
  const findingErrors = report.findings.filter((f) => f.severity === 'error').length;
  const filesWithErrors = new Set(report.findings.filter((f) => f.severity === 'error').map((f) => f.file)).size;

  const figures: Record<string, number | string> = {
    files: fileCount,
    broken_files: errors,
    lint_findings: report.findings.length,
    lint_errors: findingErrors,
    lint_files_with_errors: filesWithErrors,
    lint_ms: Math.round(ours.ms),
  };
  process.stdout.write(`lint_files: ${fileCount} files\nlint_broken_files: ${errors} files\nlint_findings: ${report.findings.length} findings\nlint_files_with_errors: ${filesWithErrors} files\n`);
  process.stdout.write(`lint_wall_median: ${Math.round(ours.ms)} ms\n`);

  const kubeconform = kubeconformBinary();
  if (kubeconform) {
    writeKubeconformSchemas(schemas);
    const theirs = timeRuns(kubeconform, ['-schema-location', `${schemas}/{{.ResourceKind}}_{{.ResourceAPIVersion}}.json`, '-summary', '-output', 'json', manifests], (c) => c === 0 || c === 1);
    const summary = JSON.parse(theirs.output) as { summary?: { valid: number; invalid: number; errors: number } };
    figures.kubeconform_ms = Math.round(theirs.ms);
    figures.ratio = Number((ours.ms / theirs.ms).toFixed(2));
    figures.kubeconform_invalid = summary.summary?.invalid ?? -1;
    process.stdout.write(`kubeconform_wall_median: ${Math.round(theirs.ms)} ms\n`);
    process.stdout.write(`kubeconform_invalid: ${summary.summary?.invalid ?? -1} resources\n`);
    process.stdout.write(`ratio_ours_over_kubeconform: ${(ours.ms / theirs.ms).toFixed(2)} x\n`);
  } else {
    process.stdout.write('kubeconform_wall_median: unavailable\n');
  }
  process.stdout.write(`lint_goal_under_1s: ${ours.ms < 1000 ? 'met' : 'missed'}\n`);
  process.stdout.write(`${JSON.stringify({ bench: 'lint', ...figures })}\n`);
} finally {
  if (!process.argv.includes('--keep')) rmSync(work, { recursive: true, force: true });
  else process.stdout.write(`kept ${work}\n`);
}
