// How the controller's status commits look: a known author, a `status: …` subject and
// trailers that tools (and `git log --format=%(trailers)`) can recognise.

export interface CommitIdentity {
  readonly name: string;
  readonly email: string;
}

/** The default author and committer of status commits. */
export const defaultStatusAuthor: CommitIdentity = { name: 'firmwarden', email: 'firmwarden@users.noreply.firmwarden.dev' };

/** Trailer marking a commit as the controller's status write-back. */
export const statusTrailer = 'Firmwarden-Status';
/** Trailer naming the spec revision the statuses were computed from. */
export const revisionTrailer = 'Firmwarden-Revision';

/** The commit message: `status: <summary>` (one line, at most 100 characters) and the trailers. */
export function formatStatusCommitMessage(summary: string, specRevision: string): string {
  const oneLine = summary.replace(/\s+/g, ' ').trim() || 'update';
  const subject = `status: ${oneLine}`;
  const short = subject.length > 100 ? `${subject.slice(0, 99)}…` : subject;
  return `${short}\n\n${statusTrailer}: true\n${revisionTrailer}: ${specRevision}\n`;
}

/** True when a commit message carries `Firmwarden-Status: true` in its trailer block. */
export function hasStatusTrailer(message: string): boolean {
  const paragraphs = message.trimEnd().split(/\n\s*\n/);
  const last = paragraphs.at(-1) ?? '';
  return paragraphs.length > 1 && last.split('\n').some((line) => new RegExp(`^${statusTrailer}:\\s*true\\s*$`, 'i').test(line));
}
