// Benchmark (issue 18): parseManifests — what lint and every reconcile run — on repositories
// where every DeviceGroup's policyRef dangles (a typo of an existing policy, so "did you mean"
// has work to do), against a peer: the same repository with every policyRef resolving. Two
// shapes: 8 files × 2,500 groups, and one ~8 MiB file. Runs are interleaved (dangling, peer,
// dangling, peer…) so both see the same machine; the first run and the median are reported.
// The benchmark checks its own numbers: a run that found nothing to report, or a time that is
// not a positive number, is an error, not a figure.
// Prints `name: value unit` lines and one JSON line.
// Usage: node bench/lint-references.bench.ts [--runs N] [--files N] [--groups N] [--policies N] [--big-mib N]
//        npm run bench -- lint-references --runs=N
import { parseManifests } from '../controller/manifest/parse-manifests.ts';

/** `--name N` or `--name=N` (the form `npm run bench -- lint-references --runs=5` passes through). */
function arg(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  const joined = process.argv.find((a) => a.startsWith(`--${name}=`));
  const value = joined ? Number(joined.slice(name.length + 3)) : i >= 0 ? Number(process.argv[i + 1]) : fallback;
  if (!Number.isFinite(value) || value <= 0) throw new Error(`--${name} needs a positive number`);
  return value;
}
const runs = arg('runs', 3);
const fileCount = arg('files', 8);
const groupsPerFile = arg('groups', 2500);
const policyCount = arg('policies', 20);
const bigBytes = arg('big-mib', 8) * 1024 * 1024;
const now = Date.parse('2026-11-22T08:00:00Z');

const policyName = (i: number) => `policy-${String(i % policyCount).padStart(4, '0')}`;
// One letter dropped: within the edit distance of a suggestion, and of the same length as
// many other policy names, so every dangling reference has a full set of candidates.
const typoOf = (name: string) => name.replace('policy', 'polcy');

function policies(): string {
  const docs: string[] = [];
  for (let i = 0; i < policyCount; i++) docs.push(`apiVersion: firmwarden.dev/v1alpha1\nkind: UpdatePolicy\nmetadata:\n  name: ${policyName(i)}\nspec:\n  description: policy ${i}\n`);
  return docs.join('---\n');
}

function group(id: string, i: number, dangling: boolean): string {
  const ref = dangling ? typoOf(policyName(i)) : policyName(i);
  // The peer's line is one character longer ('policy' vs 'polcy'): same documents, same work.
  return `apiVersion: firmwarden.dev/v1alpha1\nkind: DeviceGroup\nmetadata:\n  name: group-${id}\nspec:\n  policyRef:\n    name: ${ref}\n  selector:\n    tags: [site-${i % 50}]\n  timeZone: Europe/Paris\n`;
}

type Files = { path: string; text: string }[];

function manyFiles(dangling: boolean): { files: Files; groups: number } {
  const files: Files = [{ path: 'policies.yaml', text: policies() }];
  for (let f = 0; f < fileCount; f++) {
    const docs: string[] = [];
    for (let i = 0; i < groupsPerFile; i++) docs.push(group(`${f}-${i}`, i, dangling));
    files.push({ path: `groups-${f}.yaml`, text: docs.join('---\n') });
  }
  return { files, groups: fileCount * groupsPerFile };
}

function oneBigFile(dangling: boolean): { files: Files; groups: number } {
  const docs: string[] = [];
  let bytes = 0;
  while (bytes < bigBytes) {
    const doc = group(String(docs.length), docs.length, dangling);
    docs.push(doc);
    bytes += doc.length + 4;
  }
  return { files: [{ path: 'policies.yaml', text: policies() }, { path: 'groups.yaml', text: docs.join('---\n') }], groups: docs.length };
}

function median(values: number[]): number {
  const s = [...values].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

interface Measured {
  first: number;
  median: number;
}

/** One parse, checked: the dangling repo must report every group, the peer nothing. */
function timeParse(files: Files, groups: number, dangling: boolean): { ms: number; suggested: number } {
  const started = performance.now();
  const result = parseManifests(files, { now, maxFileBytes: 4 * bigBytes });
  const ms = performance.now() - started;
  if (!Number.isFinite(ms) || ms <= 0) throw new Error(`a parse took ${ms} ms: the clock or the benchmark is broken`);
  const dangled = result.findings.filter((f) => f.rule === 'dangling-reference').length;
  const other = result.findings.filter((f) => f.rule !== 'dangling-reference');
  if (result.manifests.length !== groups + policyCount) throw new Error(`expected ${groups + policyCount} manifests, parsed ${result.manifests.length}`);
  if (dangled !== (dangling ? groups : 0)) throw new Error(`expected ${dangling ? groups : 0} dangling references, found ${dangled}`);
  if (other.length > 0) throw new Error(`unexpected finding: ${other[0]!.rule} ${other[0]!.message}`);
  const suggested = result.findings.filter((f) => f.message.includes('did you mean')).length;
  return { ms, suggested };
}

function compare(label: string, build: (dangling: boolean) => { files: Files; groups: number }): Record<string, number> {
  const dangling = build(true);
  const peer = build(false);
  const bytes = dangling.files.reduce((n, f) => n + Buffer.byteLength(f.text), 0);
  const times = { dangling: [] as number[], peer: [] as number[] };
  let suggested = 0;
  for (let r = 0; r < runs; r++) {
    const d = timeParse(dangling.files, dangling.groups, true);
    times.dangling.push(d.ms);
    suggested = d.suggested;
    times.peer.push(timeParse(peer.files, peer.groups, false).ms);
  }
  if (suggested === 0) throw new Error(`${label}: no dangling reference got a suggestion; the near-miss case is not exercised`);
  const m: Record<'dangling' | 'peer', Measured> = {
    dangling: { first: times.dangling[0]!, median: median(times.dangling) },
    peer: { first: times.peer[0]!, median: median(times.peer) },
  };
  const ratio = m.dangling.median / m.peer.median;
  process.stdout.write(
    [
      `${label}_files: ${dangling.files.length} files, ${(bytes / 1024 / 1024).toFixed(1)} MiB`,
      `${label}_groups: ${dangling.groups} groups (all dangling), ${policyCount} policies`,
      `${label}_suggested: ${suggested} references with a suggestion`,
      `${label}_dangling_first: ${m.dangling.first.toFixed(0)} ms`,
      `${label}_dangling_median: ${m.dangling.median.toFixed(0)} ms`,
      `${label}_peer_first: ${m.peer.first.toFixed(0)} ms`,
      `${label}_peer_median: ${m.peer.median.toFixed(0)} ms`,
      `${label}_ratio_dangling_over_peer: ${ratio.toFixed(2)} x`,
      '',
    ].join('\n'),
  );
  return {
    [`${label}_groups`]: dangling.groups,
    [`${label}_suggested`]: suggested,
    [`${label}_dangling_first_ms`]: Math.round(m.dangling.first),
    [`${label}_dangling_median_ms`]: Math.round(m.dangling.median),
    [`${label}_peer_first_ms`]: Math.round(m.peer.first),
    [`${label}_peer_median_ms`]: Math.round(m.peer.median),
    [`${label}_ratio`]: Number(ratio.toFixed(2)),
  };
}

const figures = { ...compare('many_files', manyFiles), ...compare('one_big_file', oneBigFile) };
for (const [name, value] of Object.entries(figures)) if (!Number.isFinite(value)) throw new Error(`${name} is ${value}`);
process.stdout.write(`${JSON.stringify({ bench: 'lint-references', runs, ...figures })}\n`);
