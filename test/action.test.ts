// The GitHub Action (action.yml), run the way the runner runs a composite action: its steps in
// order, each `run:` through `bash --noprofile --norc -eo pipefail FILE` in the workspace (or its
// working-directory), with the runner's environment (GITHUB_OUTPUT and GITHUB_STEP_SUMMARY files
// per step, GITHUB_ACTION_PATH, GITHUB_EVENT_NAME and GITHUB_EVENT_PATH, RUNNER_TEMP) and its
// expressions evaluated, a failing step ending the run. The action runs from a copy of this
// repository's files that its own install step (npm ci --omit=dev) sets up, on a scratch config
// repository holding a copy of examples/. `uses:` steps are not run: setup-node would put this
// same Node.js on PATH.
//
// The one stand-in is `gh`: GitHub's API cannot be reached from here, so a fake gh first on PATH
// records its arguments and answers the three calls the action makes as the REST API would
// (listing comments across pages, editing one, creating one), or with a 403 when told to.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawnSync } from 'node:child_process';
import { chmodSync, cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, dirname, join, relative, resolve } from 'node:path';
import { parse } from 'yaml';
import { marker } from '../action/sticky-comment.ts';

const root = new URL('..', import.meta.url).pathname;

interface Step {
  name?: string;
  id?: string;
  uses?: string;
  with?: Record<string, string>;
  run?: string;
  shell?: string;
  env?: Record<string, string>;
  'working-directory'?: string;
}

interface ActionFile {
  name: string;
  description: string;
  inputs: Record<string, { description: string; default?: string }>;
  outputs: Record<string, { description: string; value: string }>;
  runs: { using: string; steps: Step[] };
}

const action = parse(readFileSync(join(root, 'action.yml'), 'utf8')) as ActionFile;

interface Comment {
  id: number;
  body: string;
  html_url?: string;
}

interface Scenario {
  inputs?: Record<string, string>;
  /** The event: a pull request from this repository (default), from a fork, or a push. */
  event?: 'pull_request' | 'fork' | 'push';
  /** The pull request's comments, as the API lists them. */
  comments?: Comment[];
  /** The fake API refuses to edit (403), or to write at all. */
  deny?: 'edit' | 'write';
  /** Files added to the workspace (a copy of examples/). */
  files?: Record<string, string>;
}

interface StepRun {
  id: string;
  status: number | null;
  stdout: string;
  stderr: string;
}

interface ActionRun {
  steps: StepRun[];
  /** The action's outputs, from its steps' outputs. */
  outputs: Record<string, string>;
  summary: string;
  stdout: string;
  gh: { args: string[]; input: string; token: string | null }[];
  /** The exit code of the step that ended the run (0 when all passed). */
  status: number | null;
}

let tmp = '';
let actionDir = '';
let fakeBin = '';
let installed = false;
let runs = 0;

const fakeGh = `#!/usr/bin/env node
// Stand-in for the GitHub CLI (GitHub's API cannot be reached from the tests).
const fs = require('node:fs');
const args = process.argv.slice(2);
const input = args.includes('--input') ? fs.readFileSync(0, 'utf8') : '';
fs.appendFileSync(process.env.FAKE_GH_LOG, JSON.stringify({ args, input, token: process.env.GH_TOKEN ?? null }) + '\\n');
const fail = (text, code = 1) => { process.stderr.write(text + '\\n'); process.exit(code); };
if (!process.env.GH_TOKEN) fail('To use GitHub CLI in a GitHub Actions workflow, set the GH_TOKEN environment variable.', 4);
const state = JSON.parse(fs.readFileSync(process.env.FAKE_GH_STATE, 'utf8'));
const method = args.includes('--method') ? args[args.indexOf('--method') + 1] : 'GET';
const endpoint = args.find((a) => a.startsWith('repos/')) ?? '';
const url = (id) => 'https://github.com/acme/fleet/pull/7#issuecomment-' + id;
let m;
if (method === 'GET' && /^repos\\/acme\\/fleet\\/issues\\/7\\/comments\\?per_page=100$/.test(endpoint)) {
  if (!args.includes('--paginate') || args[args.indexOf('--jq') + 1] !== '.[]') fail('fake gh: expected --paginate --jq .[]');
  for (const c of state.comments) process.stdout.write(JSON.stringify({ ...c, html_url: url(c.id) }) + '\\n');
} else if (method === 'PATCH' && (m = /^repos\\/acme\\/fleet\\/issues\\/comments\\/(\\d+)$/.exec(endpoint))) {
  if (state.deny) fail('gh: Resource not accessible by integration (HTTP 403)');
  const c = state.comments.find((c) => c.id === Number(m[1]));
  if (!c) fail('gh: Not Found (HTTP 404)');
  process.stdout.write(JSON.stringify({ id: c.id, body: JSON.parse(input).body, html_url: url(c.id) }));
} else if (method === 'POST' && endpoint === 'repos/acme/fleet/issues/7/comments') {
  if (state.deny === 'write') fail('gh: Resource not accessible by integration (HTTP 403)');
  process.stdout.write(JSON.stringify({ id: 900001, body: JSON.parse(input).body, html_url: url(900001) }));
} else fail('fake gh: unexpected call ' + JSON.stringify(args));
`;

test.before(() => {
  tmp = mkdtempSync(join(tmpdir(), 'firmwarden-action-'));
  // The action's checkout: what a `uses: OWNER/firmwarden@REF` fetches and the action runs.
  actionDir = join(tmp, 'action-checkout');
  for (const path of ['action.yml', 'action', 'bin', 'controller', 'package.json', 'package-lock.json']) cpSync(join(root, path), join(actionDir, path), { recursive: true });
  fakeBin = join(tmp, 'fake-bin');
  mkdirSync(fakeBin);
  writeFileSync(join(fakeBin, 'gh'), fakeGh);
  chmodSync(join(fakeBin, 'gh'), 0o755);
});

test.after(() => {
  if (tmp) rmSync(tmp, { recursive: true, force: true });
});

/** The host's environment without what a runner would not have (npm lifecycle, fleet credentials, GitHub variables). */
function runnerEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (!/^(npm_|INIT_CWD$|AZURE_|FIRMWARDEN_|GITHUB_|GH_|RUNNER_)/i.test(key)) env[key] = value;
  }
  const inRepo = (dir: string) => !relative(root, resolve(dir)).startsWith('..');
  const path = (process.env.PATH ?? '').split(delimiter).filter((dir) => dir !== '' && !inRepo(dir));
  env.PATH = [fakeBin, dirname(process.execPath), ...path].join(delimiter);
  env.NO_COLOR = '1';
  return env;
}

/** `${{ a.b.c }}` looked up in `context`; anything else is refused, so action.yml stays within what this runner evaluates. */
function evaluate(text: string, context: Record<string, unknown>): string {
  return text.replace(/\$\{\{\s*(.*?)\s*\}\}/g, (_, expr: string) => {
    if (!/^(inputs|github|steps|runner)(\.[A-Za-z0-9_-]+)+$/.test(expr)) throw new Error(`the test's runner does not evaluate '${expr}'`);
    let value: unknown = context;
    for (const key of expr.split('.')) value = value !== null && typeof value === 'object' ? (value as Record<string, unknown>)[key] : undefined;
    return value === undefined || value === null ? '' : String(value);
  });
}

/** GITHUB_OUTPUT's two forms: name=value, and name<<DELIMITER … DELIMITER. */
function parseOutputs(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    const heredoc = /^([^=<]+)<<(.+)$/.exec(line);
    if (heredoc) {
      const end = lines.indexOf(heredoc[2]!, i + 1);
      assert.ok(end > i, `output ${heredoc[1]} is closed by its delimiter`);
      out[heredoc[1]!] = lines.slice(i + 1, end).join('\n');
      i = end;
    } else if (line.includes('=')) {
      out[line.slice(0, line.indexOf('='))] = line.slice(line.indexOf('=') + 1);
    }
  }
  return out;
}

const sameRepo = { pull_request: { number: 7, head: { repo: { full_name: 'acme/fleet' } }, base: { repo: { full_name: 'acme/fleet' } } } };
const fromFork = { pull_request: { number: 7, head: { repo: { full_name: 'someone/fleet' } }, base: { repo: { full_name: 'acme/fleet' } } } };

/** Runs action.yml's steps as the runner would, for one scenario. */
function runAction(scenario: Scenario = {}): ActionRun {
  const n = ++runs;
  const workspace = join(tmp, `workspace-${n}`);
  cpSync(join(root, 'examples'), workspace, { recursive: true });
  for (const [path, text] of Object.entries(scenario.files ?? {})) {
    mkdirSync(dirname(join(workspace, path)), { recursive: true });
    writeFileSync(join(workspace, path), text);
  }
  assert.is(spawnSync('git', ['init', '--quiet', workspace]).status, 0);
  const runnerTemp = join(tmp, `runner-temp-${n}`);
  mkdirSync(runnerTemp);
  const files = join(tmp, `runner-files-${n}`);
  mkdirSync(files);
  const eventName = scenario.event === 'push' ? 'push' : 'pull_request';
  const eventPath = join(files, 'event.json');
  writeFileSync(eventPath, JSON.stringify(scenario.event === 'push' ? { ref: 'refs/heads/main' } : scenario.event === 'fork' ? fromFork : sameRepo));
  const ghLog = join(files, 'gh-calls.jsonl');
  const ghState = join(files, 'gh-state.json');
  writeFileSync(ghLog, '');
  writeFileSync(ghState, JSON.stringify({ comments: scenario.comments ?? [], deny: scenario.deny ?? null }));

  const github = { action_path: actionDir, token: 'ghs_faketoken', workspace };
  const context: Record<string, unknown> = { github, runner: { temp: runnerTemp }, steps: {} };
  const inputs: Record<string, string> = {};
  for (const [name, spec] of Object.entries(action.inputs)) inputs[name] = evaluate(scenario.inputs?.[name] ?? spec.default ?? '', context);
  for (const name of Object.keys(scenario.inputs ?? {})) assert.ok(name in action.inputs, `input ${name} is declared`);
  context['inputs'] = inputs;

  const result: ActionRun = { steps: [], outputs: {}, summary: '', stdout: '', gh: [], status: 0 };
  for (const [i, step] of action.runs.steps.entries()) {
    if (step.uses) continue;
    const id = step.id ?? `step-${i}`;
    if (id === 'install' && installed) continue; // npm ci ran once for the checkout; its node_modules stay
    const output = join(files, `output-${i}`);
    const summary = join(files, `summary-${i}`);
    writeFileSync(output, '');
    writeFileSync(summary, '');
    const env: NodeJS.ProcessEnv = {
      ...runnerEnv(),
      CI: 'true',
      GITHUB_ACTIONS: 'true',
      GITHUB_WORKSPACE: workspace,
      GITHUB_ACTION_PATH: actionDir,
      GITHUB_EVENT_NAME: eventName,
      GITHUB_EVENT_PATH: eventPath,
      GITHUB_REPOSITORY: 'acme/fleet',
      GITHUB_SERVER_URL: 'https://github.com',
      GITHUB_RUN_ID: '4242',
      RUNNER_TEMP: runnerTemp,
      GITHUB_OUTPUT: output,
      GITHUB_STEP_SUMMARY: summary,
      FAKE_GH_LOG: ghLog,
      FAKE_GH_STATE: ghState,
    };
    for (const [key, value] of Object.entries(step.env ?? {})) env[key] = evaluate(value, context);
    const script = join(files, `step-${i}.sh`);
    writeFileSync(script, step.run ?? '');
    const cwd = step['working-directory'] ? evaluate(step['working-directory'], context) : workspace;
    const r = spawnSync('bash', ['--noprofile', '--norc', '-eo', 'pipefail', script], { cwd, env, encoding: 'utf8', maxBuffer: 64 << 20, timeout: 180_000 });
    result.steps.push({ id, status: r.status, stdout: r.stdout, stderr: r.stderr });
    result.stdout += r.stdout;
    result.summary += readFileSync(summary, 'utf8');
    (context['steps'] as Record<string, unknown>)[id] = { outputs: parseOutputs(readFileSync(output, 'utf8')) };
    if (id === 'install') {
      assert.is(r.status, 0, `npm ci: ${r.stdout}${r.stderr}`);
      installed = true;
    }
    if (r.status !== 0) {
      result.status = r.status;
      break;
    }
  }
  for (const [name, spec] of Object.entries(action.outputs)) result.outputs[name] = evaluate(spec.value, context);
  result.gh = readFileSync(ghLog, 'utf8').split('\n').filter(Boolean).map((line) => JSON.parse(line) as ActionRun['gh'][number]);
  return result;
}

const stepStatus = (run: ActionRun, id: string) => run.steps.find((s) => s.id === id)?.status;
const brokenPolicy = 'apiVersion: firmwarden.dev/v1alpha1\nkind: UpdatePolicy\nmetadata:\n  name: weekly\nspec:\n  software:\n    firmware:\n      phase: Weekly\n';
const previous: Comment[] = [
  { id: 11, body: 'Looks good to me.' },
  { id: 12, body: `${marker}\n### firmwarden plan\n\nan older plan` },
  { id: 13, body: `> ${marker}\n> an older plan, quoted in a reply` },
];

test('action.yml: a composite action with Node.js set up, every expression a known input or an earlier step, none inside a script', () => {
  assert.is(action.runs.using, 'composite');
  const [setup, ...rest] = action.runs.steps;
  assert.match(setup!.uses ?? '', /^actions\/setup-node@v\d+$/);
  assert.is(setup!.with?.['node-version'], '${{ inputs.node-version }}');
  assert.is(action.inputs['node-version']?.default, '26');
  const seen = new Set<string>();
  for (const step of rest) {
    assert.is(step.shell, 'bash', `${step.name}: composite run steps name their shell`);
    assert.not.match(step.run ?? '', /\$\{\{/, `${step.name}: no expression inside the script (an input could become shell code)`);
    for (const value of [...Object.values(step.env ?? {}), step['working-directory'] ?? '']) {
      for (const [, expr] of value.matchAll(/\$\{\{\s*(.*?)\s*\}\}/g)) {
        const [scope, name] = expr!.split('.');
        if (scope === 'inputs') assert.ok(name! in action.inputs, `${expr} is a declared input`);
        else if (scope === 'steps') assert.ok(seen.has(name!), `${expr} names an earlier step`);
        else assert.equal(expr, 'github.action_path');
      }
    }
    if (step.id) seen.add(step.id);
  }
  for (const [name, output] of Object.entries(action.outputs)) assert.match(output.value, /^\$\{\{ steps\.[a-z]+\.outputs\.[a-z-]+ \}\}$/, name);
  for (const [name, input] of Object.entries(action.inputs)) assert.ok(input.description.length > 10, `input ${name} is described`);
});

test('pull request, clean manifests, emulated fleet: no annotation, SARIF written, the plan in the summary and in the previous comment, edited', () => {
  const run = runAction({ inputs: { emulator: 'true' }, comments: previous });
  assert.is(run.status, 0, JSON.stringify(run.steps, null, 1));
  assert.not.ok(existsSync(join(actionDir, 'node_modules', 'node')), 'npm ci --omit=dev leaves out the node runtime pin');
  assert.not.ok(existsSync(join(actionDir, 'node_modules', 'typescript')));
  assert.not.match(run.stdout, /::(error|warning) file=/);
  const sarif = JSON.parse(readFileSync(run.outputs['sarif-file']!, 'utf8')) as { version: string; runs: { results: unknown[] }[] };
  assert.is(sarif.version, '2.1.0');
  assert.equal(sarif.runs[0]!.results, []);
  assert.is(run.outputs['lint-result'], 'passed');
  assert.is(run.outputs['plan-result'], 'planned');
  assert.match(run.summary, /### firmwarden lint\n\n\\?\.: 0 errors, 0 warnings\./);
  assert.match(run.summary, /### firmwarden plan/);
  assert.match(run.summary, /emulator/, 'the plan says its fleet is the emulator');
  assert.equal(run.gh.map((c) => c.args), [
    ['api', '--paginate', '--jq', '.[]', 'repos/acme/fleet/issues/7/comments?per_page=100'],
    ['api', '--method', 'PATCH', 'repos/acme/fleet/issues/comments/12', '--input', '-'],
  ]);
  assert.ok(run.gh.every((c) => c.token === 'ghs_faketoken'), 'gh gets the github-token input');
  const body = (JSON.parse(run.gh[1]!.input) as { body: string }).body;
  assert.ok(body.startsWith(`${marker}\n### firmwarden plan`), body.slice(0, 80));
  assert.is(body, readFileSync(run.outputs['plan-file']!, 'utf8'));
  assert.is(run.outputs['comment-url'], 'https://github.com/acme/fleet/pull/7#issuecomment-12');
});

test('pull request without a previous plan comment: one is created (a quoted marker is not ours)', () => {
  const run = runAction({ comments: [previous[0]!, previous[2]!] });
  assert.is(run.status, 0);
  assert.equal(run.gh.map((c) => c.args.slice(0, 4)), [
    ['api', '--paginate', '--jq', '.[]'],
    ['api', '--method', 'POST', 'repos/acme/fleet/issues/7/comments'],
  ]);
  assert.is(run.outputs['comment-url'], 'https://github.com/acme/fleet/pull/7#issuecomment-900001');
});

test('fork pull request without credentials: firmwarden\'s sentence in the summary, a warning, no comment tried, no fleet invented, the job passes', () => {
  const run = runAction({ event: 'fork', comments: previous });
  assert.is(run.status, 0, JSON.stringify(run.steps, null, 1));
  assert.is(run.outputs['plan-result'], 'no-credentials');
  assert.match(run.summary, /no fleet credentials: set AZURE_TENANT_ID and AZURE_CLIENT_ID/);
  assert.match(run.summary, /comes from a fork/);
  assert.not.match(run.summary, /emulator \(seed|invented devices/);
  assert.match(run.stdout, /::warning::firmwarden plan: no fleet credentials/);
  assert.equal(run.gh, [], 'a fork\'s token cannot comment: gh is not called');
});

test('pull request of this repository without credentials: the comment says there is no plan and why', () => {
  const run = runAction({ comments: previous });
  assert.is(run.status, 0);
  assert.is(run.outputs['plan-result'], 'no-credentials');
  const body = (JSON.parse(run.gh.at(-1)!.input) as { body: string }).body;
  assert.match(body, /No plan: firmwarden has no fleet credentials/);
  assert.match(body, /firmwarden plan: no fleet credentials: set AZURE_TENANT_ID/);
  assert.match(body, /tenant-id, client-id and client-secret/);
});

test('lint errors: annotations on the file, SARIF results, the plan still posted, then the job fails; fail-on never lets it pass', () => {
  const files = { 'policies/weekly.yaml': brokenPolicy };
  const run = runAction({ files, comments: previous });
  assert.match(run.stdout, /::error file=policies\/weekly\.yaml,line=8,col=14,.*title=schema-enum::/);
  const sarif = JSON.parse(readFileSync(run.outputs['sarif-file']!, 'utf8')) as { runs: { results: { ruleId: string }[] }[] };
  assert.equal(sarif.runs[0]!.results.map((r) => r.ruleId), ['schema-enum']);
  assert.is(run.outputs['lint-result'], 'failed');
  assert.is(stepStatus(run, 'comment'), 0);
  assert.is(run.gh.length, 2, 'the plan is posted before the job fails');
  assert.is(stepStatus(run, 'result'), 1);
  assert.is(run.status, 1);
  assert.match(run.stdout, /::error::firmwarden lint failed for \. \(fail-on: error\)/);
  assert.match(run.summary, /1 error, 0 warnings\. The check fails \(fail-on: error\)\./);

  const lenient = runAction({ inputs: { 'fail-on': 'never' }, files, comments: previous });
  assert.is(lenient.outputs['lint-result'], 'passed');
  assert.is(lenient.status, 0);
});

test('fail-on warning: a warning fails the check, as lint --strict does', () => {
  const files = { 'notes/empty.yaml': '' };
  assert.is(runAction({ inputs: { plan: 'false' }, files }).status, 0, 'warnings pass by default');
  const strict = runAction({ inputs: { plan: 'false', 'fail-on': 'warning' }, files });
  assert.is(strict.outputs['lint-result'], 'failed');
  assert.is(strict.status, 1);
});

test('plan false: no plan, no comment, no call to GitHub', () => {
  const run = runAction({ inputs: { plan: 'false' }, comments: previous });
  assert.is(run.status, 0);
  assert.is(run.outputs['plan-result'], 'skipped');
  assert.not.match(run.summary, /firmwarden plan/);
  assert.equal(run.gh, []);
});

test('a push, not a pull request: the plan in the job summary only', () => {
  const run = runAction({ event: 'push' });
  assert.is(run.status, 0);
  assert.match(run.summary, /### firmwarden plan/);
  assert.equal(run.gh, []);
});

test('the previous comment cannot be edited (another author): a new one is posted, with a warning', () => {
  const run = runAction({ comments: previous, deny: 'edit' });
  assert.is(run.status, 0);
  assert.equal(run.gh.map((c) => c.args[2]), ['--jq', 'PATCH', 'POST']);
  assert.match(run.stdout, /::warning::the previous plan comment could not be edited .*HTTP 403/);
});

test('the token cannot comment: the job fails and names the permission it needs', () => {
  const run = runAction({ comments: previous, deny: 'write' });
  assert.is(stepStatus(run, 'comment'), 0);
  assert.is(run.status, 1);
  assert.match(run.stdout, /::error::the plan could not be posted on pull request #7: .*HTTP 403.*permissions: pull-requests: write/);
});

test('a bad input stops the action at once, naming the input', () => {
  const run = runAction({ inputs: { 'fail-on': 'sometimes' } });
  assert.is(run.status, 2);
  assert.is(run.steps.at(-1)!.id, 'lint');
  assert.match(run.stdout, /::error::firmwarden action, step lint: input fail-on: 'sometimes' is not one of error, warning, never/);
});

test.run();
