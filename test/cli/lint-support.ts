// Runs `firmwarden …` in-process through main(argv, io) with captured streams.
import { Readable, Writable } from 'node:stream';
import { main } from '../../controller/main.ts';

export const root = new URL('../../', import.meta.url).pathname;

export interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

function sink(): { stream: Writable; text: () => string } {
  const chunks: Buffer[] = [];
  const stream = new Writable({
    write(chunk, _enc, done) {
      chunks.push(Buffer.from(chunk));
      done();
    },
  });
  return { stream, text: () => Buffer.concat(chunks).toString('utf8') };
}

/** Runs the CLI with `argv` in `cwd` (default: the repository), stdin from `stdin`. */
export async function run(argv: string[], options: { cwd?: string; stdin?: string | Buffer } = {}): Promise<Run> {
  const out = sink();
  const err = sink();
  const code = await main(argv, {
    stdout: out.stream,
    stderr: err.stream,
    stdin: Readable.from(options.stdin === undefined ? [] : [options.stdin]),
    cwd: options.cwd ?? root,
    env: {},
    signal: new AbortController().signal,
  });
  return { code, stdout: out.text(), stderr: err.text() };
}
