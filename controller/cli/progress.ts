// Progress of a long fleet read for a person, on stderr (stdout carries the plan, maybe JSON):
// on a terminal one line redrawn in place with devices read, rate and time left; otherwise
// (a CI log, a file) a plain line every few seconds, and nothing at all for a short read.
import type { FleetReadProgress } from '../reconcile/fleet-view.ts';
import { progressRate } from '../reconcile/fleet-view.ts';

/** Where progress goes: stderr, whose `isTTY` decides the form. */
export interface ProgressStream {
  write(text: string): unknown;
  readonly isTTY?: boolean;
  readonly columns?: number;
}

export interface ProgressOptions {
  /** The command, first on every line ("plan"). */
  readonly label: string;
  /** Milliseconds from an arbitrary start. Default: performance.now. */
  readonly elapsed?: () => number;
  /** Without a terminal, a line at most this often (ms). Default: 5 s. */
  readonly everyMs?: number;
  /** On a terminal, a redraw at most this often (ms). Default: 100 ms. */
  readonly redrawMs?: number;
}

/** Shows progress reports; `done()` clears the terminal line (or ends the log with a summary). */
export interface ProgressLine {
  readonly update: (progress: FleetReadProgress) => void;
  readonly done: () => void;
}

const count = (n: number) => n.toLocaleString('en-US');

/** "about 2 min 5 s", "about 40 s": whole seconds, minutes from 60 s on. */
export function formatEta(seconds: number): string {
  const s = Math.max(0, Math.round(seconds));
  if (s < 60) return `about ${s} s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `about ${m} min ${s % 60} s`;
  return `about ${Math.floor(m / 60)} h ${m % 60} min`;
}

/** One progress report in words. */
export function describeProgress(label: string, progress: FleetReadProgress): string {
  if (progress.phase === 'list') return `${label}: listing devices, ${count(progress.listed)} so far`;
  const { perSecond, etaSeconds } = progressRate(progress.read, progress.total, progress.elapsedMs);
  const rate = perSecond === undefined ? '' : ` (${perSecond.toFixed(1)}/s, ${formatEta(etaSeconds ?? 0)} left)`;
  return `${label}: reading device software, ${count(progress.read)}/${count(progress.total)}${rate}`;
}

/** A progress display on `stream`, in place on a terminal, periodic lines elsewhere. */
export function createProgressLine(stream: ProgressStream, options: ProgressOptions): ProgressLine {
  const elapsed = options.elapsed ?? (() => performance.now());
  const tty = stream.isTTY === true;
  const every = tty ? (options.redrawMs ?? 100) : (options.everyMs ?? 5_000);
  const started = elapsed();
  let last: number | undefined;
  let latest: FleetReadProgress | undefined;
  let shown = false;
  return {
    update(progress) {
      latest = progress;
      const now = elapsed();
      const finished = progress.phase === 'read' && progress.read >= progress.total;
      // Without a terminal the first line waits `every` too: a short read prints nothing.
      if (last === undefined ? now - started < every && !tty : now - last < every) {
        if (!(tty && finished)) return;
      }
      last = now;
      const text = describeProgress(options.label, progress);
      if (tty) {
        const width = Math.max(20, (stream.columns ?? 80) - 1);
        // \r and "erase line": the line is redrawn, never scrolled.
        stream.write(`\r\x1b[2K${text.length > width ? `${text.slice(0, width - 1)}…` : text}`);
      } else {
        stream.write(`${text}\n`);
      }
      shown = true;
    },
    done() {
      if (!shown) return;
      if (tty) stream.write('\r\x1b[2K');
      else if (latest?.phase === 'read') stream.write(`${options.label}: read the software of ${count(latest.read)} devices in ${formatEta((elapsed() - started) / 1000).replace('about ', '')}\n`);
    },
  };
}
