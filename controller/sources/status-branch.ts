// Status on a branch of its own (--status-branch), for repositories whose main branch only
// takes reviewed changes. The controller reads specs from the tracked branch and keeps the status
// branch as "the tracked branch plus the controller's status commits":
//
//   - While the status branch's head descends from the tracked head and differs from it only in
//     statuses (and in files that are no manifests, like the report and the release calendar),
//     it is the base: the working tree is its head, the next status commit goes on top of it.
//   - When the tracked branch moved (a merged pull request), or the status branch is missing or
//     holds anything else, the status branch is recreated from the tracked head: the statuses of
//     its manifests (by kind and name, so they follow moved documents) and the controller's own
//     files (the report, the calendar) are carried over into the working tree, and the next
//     status commit goes on the tracked head and replaces the status branch with a lease.
//
// Either way a sync reads the manifests *with* the statuses last written, so what statuses
// remember (release dates, stopped rollouts, transition times) survives a restart or a new clone.
import { constants } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { posix } from 'node:path';
import type { FileLimits } from './dir-manifest-files.ts';
import { isManifestFileName, readManifestFiles, resolveWritableFile } from './dir-manifest-files.ts';
import type { GitWorkspace } from './git-workspace.ts';
import { ownedPath, writeOwnedFile } from './owned-files.ts';
import type { StatusUpdate } from '../model/source.ts';
import type { ReplaceStatus } from './status-commit-apply.ts';
import { applyStatuses } from './status-commit-apply.ts';
import { describeDocuments, isStatusOnlyTextChange } from './status-commit-detect.ts';

/** The commit a status write starts from, and what the working tree holds on top of it. */
export interface StatusBase {
  /** The commit the working tree shows: the status branch's head when usable, else the tracked head. */
  readonly revision: string;
  /** The tracked branch's head (the spec). */
  readonly spec: string;
  /** The status branch's head on the remote, undefined when there is none: the lease of the next push. */
  readonly statusHead: string | undefined;
  /** Files the working tree changed against `revision` (statuses and files carried over); non-empty only when recreated. */
  readonly carried: readonly string[];
}

export interface StatusBaseOptions {
  /** The manifests' folder. */
  readonly path: string;
  readonly replaceStatus: ReplaceStatus;
  /** Files besides the manifests the controller writes (the report, the release calendar), carried over when recreating. */
  readonly ownedPaths: readonly string[];
  readonly limits?: FileLimits;
}

/** True for a repository path the sources read as a manifest: a *.yaml/*.yml file outside hidden folders. */
export function isManifestPath(path: string): boolean {
  const segments = path.split('/');
  return segments.every((s) => !s.startsWith('.')) && isManifestFileName(segments.at(-1) ?? '');
}

async function show(workspace: GitWorkspace, revision: string, path: string): Promise<string | undefined> {
  try {
    return await workspace.git(['show', `${revision}:${path}`]);
  } catch {
    return undefined;
  }
}

/** True when going from commit `a` to commit `b` changed nothing under `path` but manifests' `status` (files that are no manifests aside). */
export async function isStatusOnlyBetween(workspace: GitWorkspace, path: string, a: string, b: string): Promise<boolean> {
  if (a === b) return true;
  const out = await workspace.git(['diff', '--name-only', '--no-renames', '-z', a, b, '--', path]);
  for (const file of out.split('\0').filter((p) => p !== '' && isManifestPath(p))) {
    const [before, after] = await Promise.all([show(workspace, a, file), show(workspace, b, file)]);
    if (before === undefined || after === undefined || !isStatusOnlyTextChange(before, after)) return false;
  }
  return true;
}

async function isAncestor(workspace: GitWorkspace, a: string, b: string): Promise<boolean> {
  return workspace.git(['merge-base', '--is-ancestor', a, b]).then(
    () => true,
    () => false,
  );
}

/**
 * Prepares the working tree for reading or writing status on the status branch (after a fetch):
 * the status branch's head when it is the tracked head plus status, else the tracked head with
 * the status branch's statuses and owned files carried over (see the file header).
 */
export async function prepareStatusBase(workspace: GitWorkspace, options: StatusBaseOptions): Promise<StatusBase> {
  const spec = await workspace.resolve(workspace.remoteRef);
  if (spec === undefined) throw new Error(`fatal: couldn't find remote ref ${workspace.branch}`);
  const statusRef = workspace.statusRemoteRef;
  const statusHead = statusRef === undefined ? undefined : await workspace.resolve(statusRef);
  if (statusHead !== undefined && (await isAncestor(workspace, spec, statusHead)) && (await isStatusOnlyBetween(workspace, options.path, spec, statusHead))) {
    await workspace.checkoutStatusBase(statusHead);
    return { revision: statusHead, spec, statusHead, carried: [] };
  }
  await workspace.checkoutStatusBase(spec);
  if (statusHead === undefined) return { revision: spec, spec, statusHead, carried: [] };
  return { revision: spec, spec, statusHead, carried: await carryOver(workspace, options, statusHead) };
}

/** Writes the statuses and owned files of `from` into the working tree (the tracked head); returns the paths changed. */
async function carryOver(workspace: GitWorkspace, options: StatusBaseOptions, from: string): Promise<string[]> {
  const listed = await workspace.git(['ls-tree', '-r', '-z', '--name-only', from, '--', options.path]);
  const updates: StatusUpdate[] = [];
  for (const file of listed.split('\0').filter((p) => p !== '' && isManifestPath(p))) {
    const text = await show(workspace, from, file);
    if (text === undefined) continue;
    describeDocuments(text).forEach((doc, docIndex) => {
      if (doc?.key !== undefined && doc.status !== undefined && doc.status !== null) updates.push({ path: file, docIndex, status: doc.status, key: doc.key });
    });
  }
  const { files } = await readManifestFiles(workspace.dir, options.path, options.limits ? { limits: options.limits } : {});
  // Every field carried as written, transition times included: nothing is volatile here.
  const { changed } = applyStatuses(files, updates, options.replaceStatus, new Set());
  const carried: string[] = [];
  for (const [path, text] of changed) {
    const real = await resolveWritableFile(workspace.dir, path);
    await writeFile(real, text, { flag: constants.O_WRONLY | constants.O_TRUNC | constants.O_NOFOLLOW });
    carried.push(path);
  }
  for (const owned of options.ownedPaths) {
    const path = ownedPath(owned);
    const text = await show(workspace, from, path);
    if (text !== undefined && !posix.isAbsolute(path) && (await writeOwnedFile(workspace.dir, { path, text }))) carried.push(path);
  }
  return carried.sort();
}
