// The one-line parts of fast-yaml.ts: keys, plain and quoted scalars, flow collections, and
// the YAML 1.2 core schema that turns a plain scalar into text, a number, a boolean or null;
// and the value of a block scalar once fast-yaml-reader.ts has gathered its lines.
// Everything here gives up (throws notPlain) on what it cannot read exactly as `yaml` would.
// Pure.
import { fitted } from './fitted-array.ts';

/** Thrown to give up; readPlainYaml turns it into undefined. */
export const notPlain = Symbol('not plain');

export function fail(): never {
  throw notPlain;
}

/** Called with each flow item's path (relative to the collection), key span and value span. */
export type FlowSpans = (path: readonly (string | number)[], key: [number, number] | undefined, value: [number, number]) => void;

/** Where the ':' of `key: …` is in a line's content, or -1 when the line is not a key. */
export function keyEnd(body: string): number {
  const c = body[0];
  if (c === '"' || c === "'") {
    const close = quoteEnd(body, 0);
    if (close < 0 || body[close] !== ':') return -1;
    return close + 1 < body.length && body[close + 1] !== ' ' ? -1 : close;
  }
  const colon = colonSpace(body);
  if (colon < 0) return -1;
  if (body.lastIndexOf(' #', colon) >= 0) return -1; // the colon is in a comment
  return colon;
}

/** The first ':' followed by a space or the end of `text` (what /:(?: |$)/ finds), or -1; a loop, not a regular expression (issue 17: once per line). */
function colonSpace(text: string): number {
  for (let at = text.indexOf(':'); at >= 0; at = text.indexOf(':', at + 1)) {
    if (at + 1 === text.length || text.charCodeAt(at + 1) === 32) return at;
  }
  return -1;
}

/** The index after a one-line quoted scalar starting at `from`. */
function quoteEnd(text: string, from: number): number {
  const q = text[from]!;
  for (let i = from + 1; i < text.length; i++) {
    const c = text[i];
    if (c === '\\' && q === '"') fail(); // escapes: left to yaml
    if (c === q) {
      if (q === "'" && text[i + 1] === "'") i++;
      else return i + 1;
    }
  }
  fail(); // a quote that goes on to the next line
}

function unquote(text: string): string {
  return text[0] === "'" ? text.slice(1, -1).replaceAll("''", "'") : text.slice(1, -1);
}

/** A mapping key (the text before its ':') and the length of its source, trailing spaces left out. */
export function keyOf(raw: string): { key: string; length: number } {
  let key: string;
  if (raw[0] === '"' || raw[0] === "'") key = unquote(raw);
  else {
    key = raw.trimEnd();
    if (key.length > 1000 || !plainStart(key) || key.includes(' #') || typeof resolvePlain(key) !== 'string') fail();
  }
  // A key that YAML reads as a number, true or null, a merge key, or one JavaScript objects treat apart: left to yaml.
  if (key === '<<' || key === '__proto__') fail();
  return { key, length: raw[0] === '"' || raw[0] === "'" ? raw.length : key.length };
}

/** A plain scalar may start with this (block context). */
function plainStart(text: string): boolean {
  const c = text[0];
  if (c === undefined || '?:,[]{}#&*!|>\'"%@`'.includes(c)) return false;
  return c !== '-' || (text.length > 1 && text[1] !== ' ');
}

/**
 * A scalar or a flow collection that must end its line (a comment may follow): its value and
 * the length of its source. `spans`, when given, hears of each item of a flow collection.
 */
export function inlineValue(text: string, base: number, spans?: FlowSpans): { value: unknown; length: number } {
  const c = text[0];
  let value: unknown;
  let end: number;
  if (c === '"' || c === "'") {
    end = quoteEnd(text, 0);
    value = unquote(text.slice(0, end));
  } else if (c === '[' || c === '{') {
    const flow = { text, at: 0, base, spans };
    value = readFlow(flow, []);
    end = flow.at;
  } else {
    const hash = text.indexOf(' #');
    const plain = (hash < 0 ? text : text.slice(0, hash)).trimEnd();
    if (!plainStart(plain) || colonSpace(plain) >= 0) fail();
    return { value: resolvePlain(plain), length: plain.length };
  }
  const rest = text.slice(end);
  if (rest !== '' && !/^ +(?:#.*)?$/.test(rest)) fail();
  return { value, length: end };
}

interface Flow {
  readonly text: string;
  at: number;
  /** Offset of text[0] in the file. */
  readonly base: number;
  readonly spans: FlowSpans | undefined;
}

/** A one-line flow collection of scalars and flow collections. */
function readFlow(flow: Flow, path: (string | number)[]): unknown {
  const open = flow.text[flow.at++];
  const close = open === '[' ? ']' : '}';
  const list: unknown[] = [];
  const map: Record<string, unknown> = {};
  const space = () => {
    while (flow.text[flow.at] === ' ') flow.at++;
  };
  const item = (key: boolean, at: string | number): unknown => {
    space();
    const c = flow.text[flow.at];
    if (c === '[' || c === '{') {
      if (key) fail();
      path.push(at);
      const value = readFlow(flow, path);
      path.pop();
      return value;
    }
    if (c === '"' || c === "'") {
      const end = quoteEnd(flow.text, flow.at);
      const raw = flow.text.slice(flow.at, end);
      flow.at = end;
      return unquote(raw);
    }
    const m = /^[^,[\]{}:#"' ]+(?: +[^,[\]{}:#"' ]+)*/.exec(flow.text.slice(flow.at));
    if (!m || !plainStart(m[0])) fail();
    flow.at += m[0].length;
    const value = resolvePlain(m[0]);
    if (key && (typeof value !== 'string' || value === '__proto__' || value === '<<')) fail();
    return value;
  };
  space();
  if (flow.text[flow.at] !== close) {
    for (;;) {
      space();
      const from = flow.at;
      if (open === '[') {
        const value = item(false, list.length);
        flow.spans?.([...path, list.length], undefined, [flow.base + from, flow.base + flow.at]);
        list.push(value);
      } else {
        const key = item(true, '') as string;
        const keySpan: [number, number] = [flow.base + from, flow.base + flow.at];
        if (flow.text[flow.at] !== ':' || flow.text[flow.at + 1] !== ' ' || Object.hasOwn(map, key)) fail();
        flow.at += 2;
        space();
        const valueFrom = flow.at;
        map[key] = item(false, key);
        flow.spans?.([...path, key], keySpan, [flow.base + valueFrom, flow.base + flow.at]);
      }
      space();
      const c = flow.text[flow.at++];
      if (c === close) break;
      if (c !== ',') fail();
      space();
      if (flow.text[flow.at] === close) fail(); // a trailing comma: allowed in lists, not worth the rules
    }
  } else flow.at++;
  return open === '[' ? fitted(list) : map;
}

/**
 * The value of a `|` (literal) or `>` (folded) block scalar: `lines` without their indentation,
 * '' for a blank line; `strip` for the `-` indicator (no final line break).
 */
export function blockScalarValue(lines: readonly string[], folded: boolean, strip: boolean): string {
  let value = '';
  if (!folded) value = lines.join('\n');
  else {
    for (let i = 0; i < lines.length; i++) {
      const text = lines[i]!;
      if (i === 0) value = text;
      else if (text === '') value += '\n';
      else value += lines[i - 1] === '' ? text : ` ${text}`;
    }
  }
  return strip ? value : `${value}\n`;
}

// The YAML 1.2 core schema, tested in the order yaml tests its tags; the first match wins.
const nullPattern = /^(?:~|[Nn]ull|NULL)?$/;
const boolPattern = /^(?:[Tt]rue|TRUE|[Ff]alse|FALSE)$/;
const octPattern = /^0o[0-7]+$/;
const intPattern = /^[-+]?[0-9]+$/;
const hexPattern = /^0x[0-9a-fA-F]+$/;
const nanPattern = /^(?:[-+]?\.(?:inf|Inf|INF)|\.nan|\.NaN|\.NAN)$/;
const expPattern = /^[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)[eE][-+]?[0-9]+$/;
const floatPattern = /^[-+]?(?:\.[0-9]+|[0-9]+\.[0-9]*)$/;

/** A plain scalar's value, as yaml resolves it with the core schema (integers as numbers). */
export function resolvePlain(text: string): unknown {
  const c = text.charCodeAt(0);
  // Most values are words: only ~ n N t T f F + - . and digits can start anything but text.
  const maybe = c === 126 || c === 110 || c === 78 || c === 116 || c === 84 || c === 102 || c === 70 || c === 43 || c === 45 || c === 46 || (c >= 48 && c <= 57);
  if (!maybe && text !== '') return text;
  if (nullPattern.test(text)) return null;
  if (boolPattern.test(text)) return text[0] === 't' || text[0] === 'T';
  if (octPattern.test(text)) return parseInt(text.slice(2), 8);
  if (intPattern.test(text)) return parseInt(text, 10);
  if (hexPattern.test(text)) return parseInt(text.slice(2), 16);
  if (nanPattern.test(text)) return text.slice(-3).toLowerCase() === 'nan' ? NaN : text[0] === '-' ? -Infinity : Infinity;
  if (expPattern.test(text) || floatPattern.test(text)) return parseFloat(text);
  return text;
}
