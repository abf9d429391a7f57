// A strict JSON parser for tests: RFC 8259 text only, and an object that names a key twice is an
// error (JSON.parse silently keeps the last one, which is how duplicated log fields go unseen).

/** Parses `text` as JSON; throws naming the offset on a syntax error or a key repeated in one object. */
export function parseStrictJson(text: string): unknown {
  let i = 0;
  const fail = (what: string): never => {
    throw new SyntaxError(`${what} at offset ${i}: ${text.slice(Math.max(0, i - 30), i + 30)}`);
  };
  const blank = () => {
    while (i < text.length && ' \t\n\r'.includes(text[i]!)) i++;
  };
  const stringToken = /"(?:[^"\\\u0000-\u001f]|\\(?:["\\/bfnrt]|u[0-9a-fA-F]{4}))*"/y;
  const literalToken = /true|false|null|-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/y;
  const string = (): string => {
    stringToken.lastIndex = i;
    const match = stringToken.exec(text);
    if (!match) return fail('bad string');
    i += match[0].length;
    return JSON.parse(match[0]) as string;
  };
  const value = (): unknown => {
    blank();
    const c = text[i];
    if (c === '{') {
      i++;
      const object: Record<string, unknown> = {};
      const seen = new Set<string>();
      blank();
      if (text[i] === '}') return i++, object;
      for (;;) {
        blank();
        const key = string();
        if (seen.has(key)) fail(`duplicate key "${key}"`);
        seen.add(key);
        blank();
        if (text[i++] !== ':') fail("expected ':'");
        object[key] = value();
        blank();
        const next = text[i++];
        if (next === '}') return object;
        if (next !== ',') fail("expected ',' or '}'");
      }
    }
    if (c === '[') {
      i++;
      const array: unknown[] = [];
      blank();
      if (text[i] === ']') return i++, array;
      for (;;) {
        array.push(value());
        blank();
        const next = text[i++];
        if (next === ']') return array;
        if (next !== ',') fail("expected ',' or ']'");
      }
    }
    if (c === '"') return string();
    literalToken.lastIndex = i;
    const literal = literalToken.exec(text);
    if (!literal) return fail('unexpected character');
    i += literal[0].length;
    return JSON.parse(literal[0]) as unknown;
  };
  const result = value();
  blank();
  if (i !== text.length) fail('text after the value');
  return result;
}
