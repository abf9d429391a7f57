// What goes into a completion script: words checked to be plain, and flags grouped by the values they take.
import type { CommandCompletion } from './completion-spec.ts';

// Everything put into a script is a flag, a value or a command name from the command tables
// (completion-spec.ts), or a summary; names are checked so that none can break out of the script's quoting.
/** `text` itself when it is a plain word; throws otherwise (a bug in a table, never user input). */
export function word(text: string): string {
  if (!/^[A-Za-z0-9][\w.:/-]*$|^--?[A-Za-z0-9][\w-]*$/.test(text)) throw new Error(`completion: ${JSON.stringify(text)} is not a plain word`);
  return text;
}

/** Flags with the same values, for one case branch: --format|-f|-o. */
export function groupChoices(c: CommandCompletion): Array<[string[], readonly string[]]> {
  const groups = new Map<readonly string[], string[]>();
  for (const [flag, values] of Object.entries(c.choices)) groups.set(values, [...(groups.get(values) ?? []), flag]);
  return [...groups].map(([values, flags]) => [flags, values]);
}
