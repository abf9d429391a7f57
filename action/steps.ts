// The steps of the firmwarden GitHub Action (../action.yml), run from the action's own checkout
// with the runner's environment: `node action/steps.ts lint|plan|comment|result`.
//
// Each step writes its outputs to GITHUB_OUTPUT and what people should read to the job summary
// (GITHUB_STEP_SUMMARY), and exits 0: the last step ('result') fails the job, so that a lint
// failure still leaves the plan posted on the pull request. Inputs arrive as INPUT_* variables
// that action.yml sets from `inputs` (composite actions get no INPUT_* of their own). firmwarden
// itself runs as a child process, from ../bin/firmwarden.mjs, in the workspace.
import { spawnSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { appendFileSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { escapeMarkdown, escapeWorkflowData } from '../controller/output/escape.ts';
import { fitComment, ghCli, marker, upsertComment } from './sticky-comment.ts';

type Env = NodeJS.ProcessEnv;

const bin = new URL('../bin/firmwarden.mjs', import.meta.url).pathname;
const failOnChoices = ['error', 'warning', 'never'] as const;

/** A mistake in the workflow (a bad input, not run by the runner): the step fails at once. */
class SetupError extends Error {}

function required(env: Env, name: string): string {
  const value = env[name];
  if (!value) throw new SetupError(`${name} is not set: this script runs as a step of the firmwarden GitHub Action (action.yml)`);
  return value;
}

function flag(env: Env, name: string, input: string, fallback: boolean): boolean {
  const value = (env[name] ?? '').trim().toLowerCase();
  if (value === '') return fallback;
  if (value === 'true' || value === 'false') return value === 'true';
  throw new SetupError(`input ${input}: '${env[name]}' is neither true nor false`);
}

function failOnOf(env: Env): (typeof failOnChoices)[number] {
  const value = (env['INPUT_FAIL_ON'] ?? '').trim() || 'error';
  const known = failOnChoices.find((c) => c === value);
  if (!known) throw new SetupError(`input fail-on: '${value}' is not one of ${failOnChoices.join(', ')}`);
  return known;
}

const pathOf = (env: Env) => (env['INPUT_PATH'] ?? '').trim() || '.';

/** Appends `name` to GITHUB_OUTPUT, in the multi-line form so no value can forge another output. */
function setOutput(env: Env, name: string, value: string): void {
  const delimiter = `firmwarden_${randomUUID()}`;
  appendFileSync(required(env, 'GITHUB_OUTPUT'), `${name}<<${delimiter}\n${value}\n${delimiter}\n`);
}

function appendSummary(env: Env, markdown: string): void {
  appendFileSync(required(env, 'GITHUB_STEP_SUMMARY'), `${markdown.trimEnd()}\n\n`);
}

/** An annotation on the run (not on a file): the runner reads it from standard output. */
function annotate(level: 'error' | 'warning' | 'notice', message: string): void {
  process.stdout.write(`::${level}::${escapeWorkflowData(message)}\n`);
}

/** Text shown verbatim in Markdown: a fence longer than any run of backticks inside it. */
function fenced(text: string): string {
  const longest = Math.max(2, ...Array.from(text.matchAll(/`+/g), (m) => m[0].length));
  const fence = '`'.repeat(longest + 1);
  return `${fence}text\n${text.trimEnd()}\n${fence}`;
}

/** Where the step's files go: RUNNER_TEMP/firmwarden (the runner empties RUNNER_TEMP after each job). */
function workDir(env: Env): string {
  const dir = join(required(env, 'RUNNER_TEMP'), 'firmwarden');
  mkdirSync(dir, { recursive: true });
  return dir;
}

function firmwarden(args: string[], env: Env): { status: number; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, ['--disable-warning=ExperimentalWarning', bin, ...args], { env, encoding: 'utf8', maxBuffer: 256 << 20 });
  if (r.error) throw r.error;
  // A signal (the job cancelled, out of memory) counts as a failure of its own kind.
  return { status: r.status ?? 128, stdout: r.stdout, stderr: r.stderr };
}

/** The webhook payload of the event that started the run, or undefined when there is none. */
function readEvent(env: Env): Record<string, any> | undefined {
  const path = env['GITHUB_EVENT_PATH'];
  if (!path) return undefined;
  try {
    return JSON.parse(readFileSync(path, 'utf8')) as Record<string, any>;
  } catch {
    return undefined;
  }
}

/** True for a pull request whose head is in another repository: its workflow gets no secrets and a read-only token. */
function isForkPullRequest(event: Record<string, any> | undefined): boolean {
  const pr = event?.['pull_request'];
  if (!pr) return false;
  const head = pr.head?.repo?.full_name;
  const base = pr.base?.repo?.full_name;
  // A fork deleted since has no head repository: still not this repository.
  return head !== base;
}

/** Lint with annotations on the files and a SARIF file for code scanning. */
function lintStep(env: Env): void {
  const failOn = failOnOf(env);
  const path = pathOf(env);
  const strict = failOn === 'warning' ? ['--strict'] : [];
  const annotations = firmwarden(['lint', '--format', 'github', ...strict, path], env);
  process.stdout.write(annotations.stdout);
  process.stderr.write(annotations.stderr);
  const sarif = firmwarden(['lint', '--format', 'sarif', path], env);
  const sarifFile = join(workDir(env), 'lint.sarif');
  writeFileSync(sarifFile, sarif.stdout);
  const counts = countResults(sarif.stdout);
  // 1 is "findings" (what fail-on decides); 2 is a path or file that cannot be read, which always fails.
  const failed = annotations.status === 1 ? failOn !== 'never' : annotations.status !== 0;
  const verdict = failed ? ` The check fails (fail-on: ${failOn}).` : '';
  const found = counts ? `${plural(counts.errors, 'error')}, ${plural(counts.warnings, 'warning')}.` : 'no result.';
  const problem = annotations.status > 1 ? `\n\n${fenced(annotations.stderr)}` : '';
  appendSummary(env, `### firmwarden lint\n\n${escapeMarkdown(path)}: ${found}${verdict}${problem}`);
  setOutput(env, 'sarif-file', sarifFile);
  setOutput(env, 'result', failed ? 'failed' : 'passed');
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}

function countResults(sarif: string): { errors: number; warnings: number } | undefined {
  try {
    const results = (JSON.parse(sarif) as { runs: { results: { level?: string }[] }[] }).runs.flatMap((r) => r.results);
    return { errors: results.filter((r) => r.level === 'error').length, warnings: results.filter((r) => r.level === 'warning').length };
  } catch {
    return undefined;
  }
}

/** The plan as Markdown, in the job summary and in a file the comment step posts. */
function planStep(env: Env): void {
  if (!flag(env, 'INPUT_PLAN', 'plan', true)) {
    setOutput(env, 'result', 'skipped');
    return;
  }
  const child: Env = {};
  // Only what firmwarden reads: not the GitHub token, not the other inputs.
  for (const [key, value] of Object.entries(env)) if (!key.startsWith('INPUT_') && key !== 'GH_TOKEN') child[key] = value;
  const credentials: [string, string][] = [['INPUT_TENANT_ID', 'AZURE_TENANT_ID'], ['INPUT_CLIENT_ID', 'AZURE_CLIENT_ID'], ['INPUT_CLIENT_SECRET', 'AZURE_CLIENT_SECRET'], ['INPUT_CLOUD', 'FIRMWARDEN_CLOUD']];
  for (const [input, variable] of credentials) if (env[input]) child[variable] = env[input];
  const emulator = flag(env, 'INPUT_EMULATOR', 'emulator', false);
  const hasCredentials = emulator || ['AZURE_TENANT_ID', 'AZURE_CLIENT_ID', 'FIRMWARDEN_EMULATOR'].some((k) => child[k]);
  const r = firmwarden(['plan', '--format', 'markdown', ...(emulator ? ['--emulator'] : []), pathOf(env)], child);

  let body: string;
  let result: 'planned' | 'no-credentials' | 'failed';
  // 1 means some manifests are invalid: the plan of the others is still printed (lint names the rest).
  if ((r.status === 0 || r.status === 1) && r.stdout.trim() !== '') {
    result = 'planned';
    body = r.stdout;
  } else if (!hasCredentials && r.status === 2) {
    result = 'no-credentials';
    const sentence = r.stderr.trim().split('\n')[0] ?? '';
    const why = isForkPullRequest(readEvent(env))
      ? 'This pull request comes from a fork: GitHub gives the workflows of fork pull requests no secrets. A maintainer can plan it from a branch of this repository.'
      : "Give the action the inputs tenant-id, client-id and client-secret from the repository's secrets (an app registration with TeamworkDevice.Read.All).";
    body = `### firmwarden plan\n\nNo plan: firmwarden has no fleet credentials in this run.\n\n${fenced(sentence)}\n\n${why}\n`;
    annotate('warning', `firmwarden plan: no fleet credentials, no plan. ${why}`);
  } else {
    result = 'failed';
    body = `### firmwarden plan\n\nfirmwarden could not plan (exit code ${r.status}):\n\n${fenced(r.stderr || r.stdout)}\n`;
    annotate('error', `firmwarden plan failed (exit code ${r.status}); the job summary has its message`);
  }
  const text = `${marker}\n${body.trimEnd()}\n`;
  const planFile = join(workDir(env), 'plan.md');
  writeFileSync(planFile, text);
  appendSummary(env, text);
  setOutput(env, 'plan-file', planFile);
  setOutput(env, 'result', result);
}

/** The plan as one pull request comment, edited by every later run. */
function commentStep(env: Env): void {
  const planResult = env['PLAN_RESULT'] ?? '';
  if (!flag(env, 'INPUT_COMMENT', 'comment', true) || planResult === '' || planResult === 'skipped') {
    setOutput(env, 'result', 'skipped');
    return;
  }
  const event = readEvent(env);
  const number = event?.['pull_request']?.number;
  if (typeof number !== 'number') {
    process.stdout.write('firmwarden: not a pull request; the plan is in the job summary only\n');
    setOutput(env, 'result', 'skipped');
    return;
  }
  if (isForkPullRequest(event) && env['GITHUB_EVENT_NAME'] !== 'pull_request_target') {
    appendSummary(env, 'The plan is not posted on the pull request: it comes from a fork, and GitHub gives the workflows of fork pull requests a token that cannot comment.');
    setOutput(env, 'result', 'skipped');
    return;
  }
  const repo = required(env, 'GITHUB_REPOSITORY');
  const server = env['GITHUB_SERVER_URL'] || 'https://github.com';
  const runUrl = `${server}/${repo}/actions/runs/${env['GITHUB_RUN_ID'] ?? ''}`;
  const body = fitComment(readFileSync(required(env, 'PLAN_FILE'), 'utf8'), `The whole plan is in the [job summary](${runUrl}).`);
  const ghEnv: Env = { ...env };
  const host = new URL(server).host;
  // GitHub Enterprise Server: gh needs the host, and reads the token under another name.
  if (host !== 'github.com') Object.assign(ghEnv, { GH_HOST: host, GH_ENTERPRISE_TOKEN: env['GH_TOKEN'] });
  try {
    const done = upsertComment(ghCli(ghEnv), repo, number, body);
    if (done.editFailure) annotate('warning', `the previous plan comment could not be edited (${done.editFailure}); posted a new one`);
    process.stdout.write(`firmwarden: plan comment ${done.action}: ${done.url}\n`);
    setOutput(env, 'comment-url', done.url);
    setOutput(env, 'result', done.action);
  } catch (error) {
    annotate('error', `the plan could not be posted on pull request #${number}: ${(error as Error).message}. The job needs permissions: pull-requests: write`);
    setOutput(env, 'result', 'failed');
  }
}

/** Fails the job when lint failed (by fail-on), the plan failed, or its comment could not be posted. */
function resultStep(env: Env): number {
  const problems: string[] = [];
  const lint = env['LINT_RESULT'] ?? '';
  if (lint === 'failed') problems.push(`firmwarden lint failed for ${pathOf(env)} (fail-on: ${failOnOf(env)}): see the annotations and the job summary`);
  else if (lint !== 'passed') problems.push('firmwarden lint did not run');
  if (env['PLAN_RESULT'] === 'failed') problems.push('firmwarden plan failed: the job summary has its message');
  if (env['COMMENT_RESULT'] === 'failed') problems.push('the plan could not be posted on the pull request (see the error above)');
  for (const problem of problems) annotate('error', problem);
  return problems.length > 0 ? 1 : 0;
}

const steps: Record<string, (env: Env) => number | void> = { lint: lintStep, plan: planStep, comment: commentStep, result: resultStep };

/** Runs one step; resolves to its exit code. */
export function runStep(name: string | undefined, env: Env): number {
  const step = name === undefined ? undefined : steps[name];
  if (!step) {
    process.stderr.write(`usage: node action/steps.ts ${Object.keys(steps).join('|')}\n`);
    return 2;
  }
  try {
    return step(env) ?? 0;
  } catch (error) {
    annotate('error', `firmwarden action, step ${name}: ${(error as Error).message}`);
    return error instanceof SetupError ? 2 : 1;
  }
}

if (import.meta.main) process.exitCode = runStep(process.argv[2], process.env);
