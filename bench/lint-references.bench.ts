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
import { firstAndMedian, interleave } from './support/measure.ts';
import { parseOptions } from './support/options.ts';
import { BenchError, Report, runBench } from './support/report.ts';

const options = (() => {
  try {
    return parseOptions('lint-references.bench.ts', {
      runs: { kind: 'count', default: 3, help: 'interleaved runs of each' },
      files: { kind: 'count', default: 8, help: 'files of groups' },
      groups: { kind: 'count', default: 2500, help: 'groups per file' },
      policies: { kind: 'count', default: 20, help: 'policies' },
      'big-mib': { kind: 'number', default: 8, min: 0.01, help: 'size of the one big file, MiB' },
    });
  } catch (error) {
    process.stderr.write(`bench lint-references: ${(error as Error).message}\n`);
    process.exit(1);
  }
})();
const runs = options.runs;
const fileCount = options.files;
const groupsPerFile = options.groups;
const policyCount = options.policies;
const bigBytes = options['big-mib'] * 1024 * 1024;
const report = new Report('lint-references', options);
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

/** One parse, checked: the dangling repo must report every group, the peer nothing. */
function timeParse(files: Files, groups: number, dangling: boolean): { ms: number; suggested: number } {
  const started = performance.now();
  const result = parseManifests(files, { now, maxFileBytes: 4 * bigBytes });
  const ms = performance.now() - started;
    const dangled = result.findings.filter((f) => f.rule === 'dangling-reference').length;
  const other = result.findings.filter((f) => f.rule !== 'dangling-reference');
  if (result.manifests.length !== groups + policyCount) throw new BenchError(`expected ${groups + policyCount} manifests, parsed ${result.manifests.length}`);
  if (dangled !== (dangling ? groups : 0)) throw new BenchError(`expected ${dangling ? groups : 0} dangling references, found ${dangled}`);
  if (other.length > 0) throw new BenchError(`unexpected finding: ${other[0]!.rule} ${other[0]!.message}`);
  const suggested = result.findings.filter((f) => f.message.includes('did you mean')).length;
  return { ms, suggested };
}

async function compare(label: string, build: (dangling: boolean) => { files: Files; groups: number }): Promise<void> {
  const dangling = build(true);
  const peer = build(false);
  const bytes = dangling.files.reduce((n, f) => n + Buffer.byteLength(f.text), 0);
  let suggested = 0;
  const times = await interleave(
    runs,
    async () => {
      const d = timeParse(dangling.files, dangling.groups, true);
      suggested = d.suggested;
      return d.ms;
    },
    async () => timeParse(peer.files, peer.groups, false).ms,
  );
  if (suggested === 0) throw new BenchError(`${label}: no dangling reference got a suggestion; the near-miss case is not exercised`);
  const d = firstAndMedian(times.a);
  const p = firstAndMedian(times.b);
  report.note(`${label}: ${dangling.files.length} files, ${(bytes / 1024 / 1024).toFixed(1)} MiB, ${dangling.groups} groups (all dangling in one, none in the peer), ${policyCount} policies`);
  report.work(`${label}_groups`, dangling.groups, 'groups', `${label}: no group generated`);
  report.figure(`${label}_suggested`, suggested, 'references with a suggestion');
  report.figure(`${label}_dangling_first_ms`, d.first, 'ms');
  report.figure(`${label}_dangling_median_ms`, d.median, 'ms');
  report.figure(`${label}_peer_first_ms`, p.first, 'ms');
  report.figure(`${label}_peer_median_ms`, p.median, 'ms');
  report.figure(`${label}_ratio_dangling_over_peer`, d.median / p.median, 'x');
}

await runBench('lint-references', async () => {
  await compare('many_files', manyFiles);
  await compare('one_big_file', oneBigFile);
  report.finish();
});
