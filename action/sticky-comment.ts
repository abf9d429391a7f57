// The plan's pull request comment, kept as ONE comment that each run edits: found by the hidden
// marker its body starts with, through the GitHub REST API with the GitHub CLI (`gh api`, on
// every GitHub-hosted runner, authenticated by GH_TOKEN). Only the gh calls are I/O; choosing the
// comment and fitting the body are pure.
import { spawnSync } from 'node:child_process';

/** The first line of the comment: how the next run finds it (an HTML comment: not shown). */
export const marker = '<!-- firmwarden-plan -->';

/** GitHub refuses comment bodies longer than this (characters). */
export const maxCommentLength = 65_536;

/** A comment as the REST API lists it (only what is read here). */
export interface IssueComment {
  id: number;
  body?: string | null;
  html_url?: string;
}

/**
 * The comment to edit: the last one whose body starts with the marker. Starting with it, not
 * containing it, so that a reply quoting the plan ("> <!-- firmwarden-plan -->…") is never taken.
 */
export function previousComment(comments: readonly IssueComment[]): IssueComment | undefined {
  return comments.filter((c) => typeof c.body === 'string' && c.body.startsWith(marker)).at(-1);
}

/** The body cut at a line boundary to fit a comment, with `note` (a Markdown line) saying where the rest is. */
export function fitComment(body: string, note: string): string {
  if (body.length <= maxCommentLength) return body;
  const room = maxCommentLength - note.length - 8;
  const cut = body.lastIndexOf('\n', room);
  return `${body.slice(0, cut > 0 ? cut : room)}\n\n…\n\n${note}\n`;
}

/** Runs `gh` with `args`, `input` on stdin; its stdout, or an Error naming the call and gh's message. */
export type Gh = (args: readonly string[], input?: string) => string;

/** The real GitHub CLI from PATH. */
export function ghCli(env: NodeJS.ProcessEnv): Gh {
  return (args, input) => {
    const r = spawnSync('gh', args, { env, input: input ?? '', encoding: 'utf8', maxBuffer: 64 << 20 });
    if (r.error) throw new Error(`gh could not run (${r.error.message}); it is installed on GitHub-hosted runners, install it on a self-hosted one`, { cause: r.error });
    if (r.status !== 0) throw new Error(`gh ${args.slice(0, 3).join(' ')} failed: ${(r.stderr || r.stdout).trim()}`);
    return r.stdout;
  };
}

/** What upsertComment did. */
export interface CommentResult {
  action: 'updated' | 'created';
  url: string;
  /** Set when the previous comment could not be edited and a new one was posted instead. */
  editFailure?: string;
}

/** Edits the previous plan comment of pull request `issue` in `repo` (owner/name), else creates one. */
export function upsertComment(gh: Gh, repo: string, issue: number, body: string): CommentResult {
  // --jq '.[]' prints one comment per line across all pages; gh 2.45 (Ubuntu 24.04) has no --slurp.
  const listed = gh(['api', '--paginate', '--jq', '.[]', `repos/${repo}/issues/${issue}/comments?per_page=100`]);
  const comments = listed.split('\n').filter((line) => line.trim() !== '').map((line) => JSON.parse(line) as IssueComment);
  const payload = JSON.stringify({ body });
  const previous = previousComment(comments);
  let editFailure: string | undefined;
  if (previous) {
    try {
      const edited = JSON.parse(gh(['api', '--method', 'PATCH', `repos/${repo}/issues/comments/${previous.id}`, '--input', '-'], payload)) as IssueComment;
      return { action: 'updated', url: edited.html_url ?? previous.html_url ?? '' };
    } catch (error) {
      // Someone else's comment with the marker (another token wrote it) cannot be edited: post ours.
      editFailure = (error as Error).message;
    }
  }
  const created = JSON.parse(gh(['api', '--method', 'POST', `repos/${repo}/issues/${issue}/comments`, '--input', '-'], payload)) as IssueComment;
  return { action: 'created', url: created.html_url ?? '', ...(editFailure === undefined ? {} : { editFailure }) };
}
