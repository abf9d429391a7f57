// The real file system behind the DurableFs interface, recording every operation in order and
// able to fail one of them, so tests can check what a durable write did and what a failure leaves.
import { statSync } from 'node:fs';
import { nodeDurableFs, type DurableFs, type DurableHandle } from '../../controller/state/durable-write.ts';

/** One recorded operation; `(dir)` ones act on the folder, the others on the temporary file. */
export type Op = 'create' | 'write' | 'fsync(file)' | 'close(file)' | 'rename' | 'open(dir)' | 'fsync(dir)' | 'close(dir)' | 'unlink';

function errno(code: string): NodeJS.ErrnoException {
  return Object.assign(new Error(`${code}: injected`), { code });
}

/**
 * The real file system, recording each operation (and the paths renamed to, in `renamedTo`);
 * `fail` makes one operation throw `code` (default EIO) instead. A failing write writes half
 * the text first, as a write cut short does.
 */
export function recordingFs(fail?: { op: Op; code?: string }): { fs: DurableFs; ops: Op[]; renamedTo: string[] } {
  const ops: Op[] = [];
  const renamedTo: string[] = [];
  const step = async (op: Op, run: () => Promise<void>): Promise<void> => {
    ops.push(op);
    if (fail?.op !== op) return run();
    if (op === 'write') await run();
    throw errno(fail.code ?? 'EIO');
  };
  const fs: DurableFs = {
    async open(path, flags, mode) {
      const isDir = statSync(path, { throwIfNoEntry: false })?.isDirectory() === true;
      let handle: DurableHandle | undefined;
      await step(isDir ? 'open(dir)' : 'create', async () => {
        handle = await nodeDurableFs.open(path, flags, mode);
      });
      const real = handle!;
      const cut = (data: string | Uint8Array) => (fail?.op === 'write' ? data.slice(0, data.length >> 1) : data);
      return {
        writeFile: (data) => step('write', () => real.writeFile(cut(data))),
        sync: () => step(isDir ? 'fsync(dir)' : 'fsync(file)', () => real.sync()),
        close: () => step(isDir ? 'close(dir)' : 'close(file)', () => real.close()),
      };
    },
    rename: (from, to) =>
      step('rename', async () => {
        await nodeDurableFs.rename(from, to);
        renamedTo.push(to);
      }),
    unlink: (path) => step('unlink', () => nodeDurableFs.unlink(path)),
  };
  return { fs, ops, renamedTo };
}
