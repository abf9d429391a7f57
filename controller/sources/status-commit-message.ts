// How the controller's status commits look: a known author, a subject from a template
// (`status: … [skip ci]` by default, so the config repository's CI does not run on them) and
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

/**
 * The default subject template. `[skip ci]` in a commit message stops GitHub Actions' push
 * workflows and GitLab pipelines, so status commits do not run the config repository's CI.
 */
export const defaultStatusMessage = 'status: {summary} [skip ci]';

/** Placeholders a template may use: the reconcile's one-line summary, the spec revision (full and 12 characters), the branch pushed to. */
export const statusMessagePlaceholders = ['summary', 'revision', 'shortRevision', 'branch'] as const;
type Placeholder = (typeof statusMessagePlaceholders)[number];

const placeholderPattern = /\{([^{}]*)\}/g;
/** The longest subject; only the summary is shortened to fit, never the template's own text (`[skip ci]` stays). */
const maxSubject = 100;

/** Why a template cannot be used (an unknown placeholder, no subject, a control character), or undefined when it can. */
export function checkStatusMessageTemplate(template: string): string | undefined {
  if (template.split('\n')[0]!.trim() === '') return 'its first line (the subject) is empty';
  if (/[\u0000-\u0009\u000b-\u001f\u007f]/.test(template)) return 'it holds a control character (only line breaks are allowed)';
  for (const match of template.matchAll(placeholderPattern)) {
    if (!(statusMessagePlaceholders as readonly string[]).includes(match[1]!)) {
      return `unknown placeholder {${match[1]}} (use ${statusMessagePlaceholders.map((p) => `{${p}}`).join(', ')})`;
    }
  }
  return undefined;
}

export interface StatusMessageOptions {
  /** Default: defaultStatusMessage. The first line is the subject, the rest the body; checked with checkStatusMessageTemplate. */
  readonly template?: string;
  /** The branch the commit is pushed to, for {branch}. Default: empty. */
  readonly branch?: string;
}

/**
 * The commit message from the template, with the trailers `Firmwarden-Status: true` and
 * `Firmwarden-Revision` always closing it (the sources recognise their own commits by them).
 */
export function formatStatusCommitMessage(summary: string, specRevision: string, options: StatusMessageOptions = {}): string {
  const template = options.template ?? defaultStatusMessage;
  const oneLine = summary.replace(/\s+/g, ' ').trim() || 'update';
  const values = (text: string): Record<Placeholder, string> => ({
    summary: text,
    revision: specRevision,
    shortRevision: specRevision.slice(0, 12),
    branch: options.branch ?? '',
  });
  const fill = (line: string, text: string) => line.replace(placeholderPattern, (whole, name: string) => values(text)[name as Placeholder] ?? whole);
  const [subjectTemplate = '', ...bodyLines] = template.split('\n');
  let subject = fill(subjectTemplate, oneLine).replace(/\s+/g, ' ').trim();
  if (subject.length > maxSubject && subjectTemplate.includes('{summary}')) {
    const room = Math.max(1, oneLine.length - (subject.length - maxSubject) - 1);
    subject = fill(subjectTemplate, `${oneLine.slice(0, room)}…`).replace(/\s+/g, ' ').trim();
  }
  const body = fill(bodyLines.join('\n'), oneLine).trim();
  return `${subject}\n\n${body === '' ? '' : `${body}\n\n`}${statusTrailer}: true\n${revisionTrailer}: ${specRevision}\n`;
}

/** True when a commit message carries `Firmwarden-Status: true` in its trailer block. */
export function hasStatusTrailer(message: string): boolean {
  const paragraphs = message.trimEnd().split(/\n\s*\n/);
  const last = paragraphs.at(-1) ?? '';
  return paragraphs.length > 1 && last.split('\n').some((line) => new RegExp(`^${statusTrailer}:\\s*true\\s*$`, 'i').test(line));
}
