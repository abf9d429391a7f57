// Escaping for every human-readable output. Manifest values, file names and what devices report
// (names, notes, models, versions from the Graph API) are hostile input: a newline in a value
// forges whole output lines, an ESC or OSC sequence reaches the terminal, a bidi override
// reorders what a reviewer reads, and in a GitHub Actions log a line starting with `::` (after
// blanks), or holding `##[` anywhere, is a workflow command the runner obeys. Every renderer
// passes values through one of these functions where they meet its format: plain text, Markdown,
// workflow commands, XML, JSON. Pure and import-free, so the pure core (plan/) and the
// command-line formats (cli/) can both use it.

// C0 controls, DEL, C1 controls, the line and paragraph separators, and the bidirectional marks,
// embeddings, overrides and isolates (the "Trojan Source" characters).
const unsafe = /[\u0000-\u001f\u007f-\u009f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;
// The same without TAB: a tab cannot forge a line or reach the terminal, and source excerpts
// keep theirs so that carets line up.
const unsafeButTab = /[\u0000-\u0008\u000a-\u001f\u007f-\u009f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;

const named: Readonly<Record<string, string>> = { '\n': '\\n', '\r': '\\r', '\t': '\\t' };

function visible(c: string): string {
  const code = c.charCodeAt(0);
  return named[c] ?? (code <= 0xff ? `\\x${code.toString(16).padStart(2, '0')}` : `\\u${code.toString(16).padStart(4, '0')}`);
}

// The runner trims leading blanks before looking for `::`, and finds the legacy `##[` form
// anywhere in a line; escaping one character of each is enough. Values get this too, so that a
// value that starts a line (a file name, a table's first cell) is measured as it will be shown.
function defuseWorkflowCommands(text: string): string {
  return text.replaceAll('##[', '#\\x23[').replace(/^(\s*):(?=:)/, '$1\\x3a');
}

/** One value made safe inside a line of text: control, separator and bidi characters become visible escapes (\n, \x1b, \u202e), and workflow commands are defused. */
export function escapeText(value: string): string {
  return defuseWorkflowCommands(value.replace(unsafe, visible));
}

/** A whole line made safe to print: escapes like escapeText, but keeps tabs. */
export function safeLine(line: string): string {
  return defuseWorkflowCommands(line.replace(unsafeButTab, visible));
}

/** Lines joined into printable text, each passed through safeLine, with a final newline. */
export function joinLines(lines: readonly string[]): string {
  return lines.map((l) => `${safeLine(l)}\n`).join('');
}

/** One value as literal Markdown text, also inside a table cell: it cannot end the cell, nor start a link (autolinks included), image, HTML tag, entity, emphasis or code span. */
export function escapeMarkdown(value: string): string {
  // Backslash escapes are CommonMark's own (any ASCII punctuation), and GFM honours `\|` inside
  // table cells; escapeText runs last so its backslashes stay literal.
  // GFM also turns bare URLs, www. names and e-mail addresses into links: an escaped `:` of
  // `://`, `.` of `www.` or `@` keeps them text (the backslash is not shown).
  return escapeText(value.replace(/[\\`*_[\]<>|&~!$@]/g, '\\$&').replace(/:(?=\/\/)/g, '\\:').replace(/(?<![\p{L}\p{N}])(www)\./giu, '$1\\.'));
}

/** One value as a Markdown code span (outside tables: a code span keeps `\|` as two characters). */
export function markdownCode(value: string): string {
  const text = escapeText(value);
  const longest = Math.max(0, ...Array.from(text.matchAll(/`+/g), (m) => m[0].length));
  const fence = '`'.repeat(longest + 1);
  // CommonMark strips one blank from each end when both ends have one, and a span cannot touch
  // its fence with a backtick: pad in both cases so the content shows as it is.
  const pad = text === '' || /^`|`$/.test(text) || (/^ .* $/s.test(text) && text.trim() !== '') ? ' ' : '';
  return `${fence}${pad}${text}${pad}${fence}`;
}

/** One value as a GitHub Actions workflow-command message: escapes like escapeText, then '%', CR and LF as the runner decodes them. */
export function escapeWorkflowData(value: string): string {
  // escapeText already turned CR and LF into visible text (a value stays on one line of the
  // annotation); the percent-encoding is the runner's rule, kept so the rule reads whole here.
  return escapeText(value).replaceAll('%', '%25').replaceAll('\r', '%0D').replaceAll('\n', '%0A');
}

/** One value as a workflow-command property (file=, title=): escapeWorkflowData plus ':' and ','. */
export function escapeWorkflowProperty(value: string): string {
  return escapeWorkflowData(value).replaceAll(':', '%3A').replaceAll(',', '%2C');
}

const xmlEntities: Readonly<Record<string, string>> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&apos;' };

/** One value as XML 1.0 text or attribute content: escapes like escapeText, then markup; never a character XML 1.0 forbids. */
export function escapeXml(value: string): string {
  // After escapeText no C0 control is left; lone surrogates and U+FFFE/U+FFFF are the other
  // characters XML 1.0 cannot carry.
  return escapeText(value)
    .toWellFormed()
    .replace(/[\ufffe\uffff]/g, visible)
    .replace(/[&<>"']/g, (c) => xmlEntities[c]!);
}

// Characters JSON.stringify leaves raw although a terminal or a reviewer would act on them.
const jsonUnsafe = /[\u007f-\u009f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;

/** A value as JSON indented by two, which prints as it is: the characters escapeText escapes and `##[` are written as \u escapes, so every parser reads the same value. */
export function stringifyJson(value: unknown): string {
  // Outside strings JSON has only ASCII punctuation, digits, letters and blanks, and no `#`:
  // these replacements can only land inside strings, where a \u escape means the same character.
  return JSON.stringify(value, null, 2)
    .replace(jsonUnsafe, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`)
    .replaceAll('##[', '##\\u005b');
}

// Mermaid's gantt reads a task name up to the first `:`, cuts task data at `#` and `;`, takes a
// line starting with `%%` as a comment, `%%{…}%%` anywhere as a configuration directive, and a
// name starting with a keyword (section, title, click, …) as that statement. Its entity codes
// (`#58;` for `:`) are decoded when the diagram is drawn, so they show the character itself.
const mermaidSafe = /[^\p{L}\p{M}\p{N} ._,()+'-]/gu;

/** One value as the text of a Mermaid gantt task name, section or title: controls made visible as escapeText does, then anything but letters, digits, blanks and `._,()/+'-` becomes an entity code (`:` is `#58;`); line breaks folded, the length bounded. */
export function escapeMermaid(value: string, maxLength = 80): string {
  // Controls and bidi characters first become visible escapes (\x1b), as in every other output.
  const folded = escapeText(value.replace(/[\t\n\r\u2028\u2029 ]+/g, ' ')).trim();
  const cut = folded.length > maxLength ? `${folded.slice(0, maxLength - 1)}…` : folded;
  return cut.replace(mermaidSafe, (c) => `#${c.codePointAt(0)!};`);
}
