// Colour for terminals, decided once per command from the stream and the environment, and
// applied to text that is already safe (escaped): the only control sequences a coloured line
// holds are the SGR codes added here. Colour is never the only signal: every renderer that
// colours a state also prints a symbol or a word for it (colour-blind readers, logs, NO_COLOR).
// Pure and import-free.

/** The styles renderers may ask for (16-colour ANSI, readable on dark and light backgrounds). */
export type Style = 'bold' | 'dim' | 'red' | 'green' | 'brightGreen' | 'yellow' | 'cyan' | 'magenta';

const sgr: Readonly<Record<Style, string>> = {
  bold: '1',
  dim: '2',
  red: '31',
  green: '32',
  brightGreen: '1;92',
  yellow: '33',
  cyan: '36',
  magenta: '35',
};

/**
 * Whether to colour a stream: FORCE_COLOR set to anything but `0` or `false` forces colour (even
 * into a pipe), `0`/`false` forbids it; otherwise NO_COLOR with any non-empty value forbids it;
 * otherwise colour only on a terminal (a pipe, a file or a CI log gets none) whose TERM is not
 * `dumb`.
 */
export function shouldColour(stream: { readonly isTTY?: boolean }, env: Readonly<Record<string, string | undefined>>): boolean {
  // FORCE_COLOR first, as Node.js itself reads it: it is the more specific request (a CI job
  // that wants colour in its log), while NO_COLOR is usually a standing preference.
  const force = env['FORCE_COLOR'];
  if (force !== undefined) return force !== '0' && force.toLowerCase() !== 'false';
  if (env['NO_COLOR'] !== undefined && env['NO_COLOR'] !== '') return false;
  return stream.isTTY === true && env['TERM'] !== 'dumb';
}

/** A piece of a line: text that is already safe to print, and how to colour it. */
export interface Segment {
  readonly text: string;
  readonly style?: Style | undefined;
}

/** `text` wrapped in the SGR codes of `style` (and a reset). */
export function paint(text: string, style: Style): string {
  return text === '' ? '' : `\x1b[${sgr[style]}m${text}\x1b[0m`;
}

/** The visible text of segments, without colour. */
export function plainText(segments: readonly Segment[]): string {
  return segments.map((s) => s.text).join('');
}

/** Segments joined into one line, each with its style when `colour` is on. */
export function renderSegments(segments: readonly Segment[], colour: boolean): string {
  return colour ? segments.map((s) => (s.style ? paint(s.text, s.style) : s.text)).join('') : plainText(segments);
}
