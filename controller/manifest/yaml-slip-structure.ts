// The slips yaml-slips.ts finds from the shape of the text rather than from one line: a line
// indented more or less than its siblings, and a key without its ':'. Each line's place among
// its siblings (a tree built from indentation, document by document) says what it should have
// been. Also the types both files share. Pure.

/** One slip: where it was made, what to tell the person, and a repaired copy of its line(s). */
export interface YamlSlip {
  readonly kind: 'indented-more' | 'indented-less' | 'tab-indent' | 'unclosed-quote' | 'unclosed-bracket' | 'missing-colon' | 'colon-in-value';
  /** 1-based line and column of the slip; endColumn just after its span on that line. */
  readonly line: number;
  readonly column: number;
  readonly endColumn: number;
  readonly message: string;
  /** The slip's lines (1-based) with their text repaired: the same number of lines. */
  readonly repair: ReadonlyMap<number, string>;
}

export type Kind = 'opener' | 'inline' | 'block-scalar' | 'item' | 'bare';

export interface Line {
  readonly no: number;
  indent: number;
  readonly text: string;
  readonly kind: Kind;
  readonly isItem: boolean;
  /** A plain scalar value on the line (a bare line below continues it). */
  readonly plainValue: boolean;
  /** For `- key: …`: the column (0-based) of that key, where the item's other keys line up. */
  readonly innerIndent: number | undefined;
  /** For `- key:` (nothing after the colon): the item's inner key opens a block. */
  readonly innerOpener: boolean;
  readonly children: Line[];
  parent: Line | undefined;
  /** The first line of a document (after '---'), to keep documents apart. */
  readonly doc: number;
}

export function canHaveChildren(line: Line): boolean {
  return line.kind === 'opener' || (line.isItem && (line.innerOpener || line.innerIndent !== undefined));
}

export function isOpener(line: Line): boolean {
  return line.kind === 'opener' || (line.isItem && line.innerOpener);
}

/** Indentation and missing ':' slips, from each line's place among its siblings. */
export function structureSlips(lines: Line[], raw: readonly string[]): YamlSlip[] {
  const root: Line[] = [];
  const firstRoot = new Map<number, Line>();
  const stack: Line[] = [];
  for (const line of lines) {
    while (stack.length > 0) {
      const top = stack.at(-1)!;
      if (top.doc !== line.doc) {
        stack.length = 0;
        break;
      }
      if (top.indent < line.indent) break;
      // `key:` followed by `- item` at the key's own indentation: the items belong to the key.
      if (top.indent === line.indent && line.isItem && top.kind === 'opener' && !top.isItem && top.children.every((c) => c.isItem)) break;
      stack.pop();
    }
    // A line between a line's own indentation and that of its children: when it lines up with
    // the children of a line further up, it is one of those (the line above was indented less).
    const top = stack.at(-1);
    if (top !== undefined && top.children.length > 0 && line.indent < top.children[0]!.indent) {
      const at = stack.findLastIndex((a) => a.children[0]?.indent === line.indent);
      if (at !== -1) stack.length = at + 1;
      else if (firstRoot.get(line.doc)?.indent === line.indent) stack.length = 0;
    }
    const parent = stack.at(-1);
    line.parent = parent;
    (parent ? parent.children : root).push(line);
    if (!parent && !firstRoot.has(line.doc)) firstRoot.set(line.doc, line);
    stack.push(line);
  }
  const slips: YamlSlip[] = [];
  const check = (parent: Line | undefined, children: Line[]) => {
    // A bare line below a plain value continues that value (YAML allows it): not a sibling.
    const siblings = parent?.plainValue ? children.filter((c) => c.kind !== 'bare') : children;
    if (siblings.length === 0) {
      // nothing to compare
    } else if (parent !== undefined && !canHaveChildren(parent)) {
      // Nothing can be nested under a line that already has its value: it lines up with that line.
      const first = siblings[0]!;
      const run = siblings.filter((s) => s.indent === first.indent);
      slips.push(indentSlip('indented-more', run, parent.indent, raw, compared(first, parent.no, parent.indent, run.length > 1)));
    } else if (parent?.innerIndent !== undefined) {
      // `- key: …`: the item's other keys line up with that key; deeper lines are under it when it opens a block.
      const k = parent.innerIndent;
      let lastGood = parent.no;
      for (const c of siblings) {
        if (c.indent === k) {
          lastGood = c.no;
          if (c.kind === 'bare' && !c.isItem) slips.push(missingColon(c));
        } else if (!(c.indent > k && parent.innerOpener)) {
          slips.push(indentSlip(c.indent > k ? 'indented-more' : 'indented-less', [c], k, raw, compared(c, lastGood, k)));
        }
      }
    } else {
      for (const group of [siblings.filter((c) => c.isItem), siblings.filter((c) => !c.isItem)]) {
        if (group.length === 0) continue;
        const expected = majority(group.map((c) => c.indent));
        const keys = group.some((c) => c.kind !== 'bare');
        let run: Line[] = [];
        // The line to line up with: the last sibling before that is where it should be, else the first after.
        let lastGood: Line | undefined;
        const flush = () => {
          if (run.length === 0) return;
          const first = run[0]!;
          const ref = lastGood ?? group.find((s) => s.indent === expected && s.no > first.no);
          slips.push(indentSlip(first.indent > expected ? 'indented-more' : 'indented-less', run, expected, raw, compared(first, ref?.no ?? first.no, expected, run.length > 1)));
          run = [];
        };
        for (const child of group) {
          if (child.indent !== expected) {
            if (run.length > 0 && run[0]!.indent !== child.indent) flush();
            run.push(child);
            continue;
          }
          flush();
          lastGood = child;
          if (child.kind === 'bare' && keys && !child.isItem) slips.push(missingColon(child));
        }
        flush();
      }
    }
    for (const c of children) if (c.children.length > 0) check(c, c.children);
  };
  // Each document's top level on its own.
  const docs = new Map<number, Line[]>();
  for (const line of root) {
    const top = docs.get(line.doc);
    if (top) top.push(line);
    else docs.set(line.doc, [line]);
  }
  for (const top of docs.values()) check(undefined, top);
  return slips;
}

function majority(indents: readonly number[]): number {
  const counts = new Map<number, number>();
  for (const n of indents) counts.set(n, (counts.get(n) ?? 0) + 1);
  // Ties go to the first line: it is the one the others were meant to follow.
  let best = indents[0]!;
  for (const [n, count] of counts) if (count > counts.get(best)!) best = n;
  return best;
}

/** One slip for a run of sibling lines indented alike but not like the others; the repair moves them and what is under them. */
function indentSlip(kind: 'indented-more' | 'indented-less', run: readonly Line[], expected: number, raw: readonly string[], reason: string): YamlSlip {
  const first = run[0]!;
  const last = run.at(-1)!;
  const which = kind === 'indented-more' ? 'more' : 'less';
  const message = run.length === 1
    ? `line ${first.no} is indented ${which} than the lines around it: ${reason}`
    : `lines ${first.no}-${last.no} are indented ${which} than the lines around them: ${reason}`;
  const shift = expected - first.indent;
  const repair = new Map<number, string>();
  const move = (line: Line) => {
    const text = raw[line.no - 1]!;
    const lead = /^[ \t]*/.exec(text)![0].length;
    repair.set(line.no, ' '.repeat(Math.max(0, line.indent + shift)) + text.slice(lead));
    for (const c of line.children) move(c);
  };
  for (const line of run) move(line);
  return { kind, line: first.no, column: first.indent + 1, endColumn: first.indent + 2, message, repair };
}

// Where the line starts and where the line it should line up with starts (1-based columns).
function compared(line: Line, reference: number, expected: number, they = false): string {
  return `${they ? 'they start' : 'it starts'} at column ${line.indent + 1}, line ${reference} at column ${expected + 1}`;
}

function missingColon(line: Line): YamlSlip {
  const text = line.text;
  const body = text.slice(line.indent);
  const word = /^\S*/.exec(body)![0];
  return {
    kind: 'missing-colon', line: line.no, column: line.indent + 1, endColumn: line.indent + 1 + word.length,
    message: `a key with no value or a missing ':' at line ${line.no}`,
    repair: new Map([[line.no, `${' '.repeat(line.indent)}${word.replace(/:$/, '')}:${body.slice(word.length) === '' ? '' : ` ${JSON.stringify(body.slice(word.length).trim())}`}`]]),
  };
}
