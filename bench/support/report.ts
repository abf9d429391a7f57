// What every benchmark prints, and the checks that make a figure a figure: a value that is not
// a finite number, a zero where work was expected (no file linted, no device planned, no
// request sent) or a negative time stops the benchmark with a sentence and a non-zero exit,
// before any goal is judged. Goals are judged only in finish(), so a verdict is never printed
// next to a broken number.
//
// Output: `name: value unit` lines, `goal ROW: met|missed (…)` lines, then one JSON line
// {bench, options, figures: {name: {value, unit}}, goals: [...]} that `npm run bench -- table` reads.
import { loadavg } from 'node:os';

/** An expected failure of a benchmark: printed as its sentence, no stack trace. */
export class BenchError extends Error {}

export interface Figure {
  readonly value: number;
  readonly unit: string;
}

/** One judged goal; `row` names the line of issue 17's table it fills. */
export interface Goal {
  readonly row: string;
  readonly figure: string;
  readonly op: '<' | '<=';
  readonly limit: number;
  readonly value: number;
  readonly unit: string;
  readonly met: boolean;
}

/** The figures and goals of one benchmark run. */
export class Report {
  readonly #bench: string;
  readonly #options: Record<string, unknown>;
  readonly #figures = new Map<string, Figure>();
  readonly #goals: { row: string; figure: string; op: '<' | '<='; limit: number }[] = [];
  readonly #notes: string[] = [];
  #unjudged: string | undefined;
  readonly #write: (text: string) => void;

  /** `write` receives the printed text (default: standard output). */
  constructor(bench: string, options: Record<string, unknown>, write: (text: string) => void = (text) => process.stdout.write(text)) {
    this.#bench = bench;
    this.#options = options;
    this.#write = write;
  }

  /** A measured value; must be a finite number, and above zero unless `zeroOk` (a count that may honestly be 0). */
  figure(name: string, value: number, unit: string, check: { zeroOk?: boolean } = {}): number {
    if (typeof value !== 'number' || !Number.isFinite(value)) throw new BenchError(`${name} is ${value} ${unit}, not a number: the benchmark or what it ran is broken`);
    if (value < 0) throw new BenchError(`${name} is ${value} ${unit}: a negative figure means the measurement is broken`);
    if (value === 0 && !check.zeroOk) throw new BenchError(`${name} is 0 ${unit}: nothing was measured`);
    this.#figures.set(name, { value, unit });
    return value;
  }

  /** The amount of work a run did (files linted, devices planned, requests sent): zero is an error naming `what`. */
  work(name: string, count: number, unit: string, what: string): number {
    if (!(count > 0)) throw new BenchError(`${what}: ${count} ${unit}, so nothing was measured`);
    return this.figure(name, count, unit);
  }

  /** Says the work done was the work asked for (e.g. files linted = files generated). */
  expect(what: string, actual: number, expected: number): void {
    if (actual !== expected) throw new BenchError(`${what}: ${actual}, expected ${expected}; the figures would describe another workload`);
  }

  /** A goal on a figure already (or later) recorded: judged in finish(). */
  goal(row: string, figure: string, op: '<' | '<=', limit: number): void {
    this.#goals.push({ row, figure, op, limit });
  }

  /**
   * Goals are stated for one workload (100,000 devices, 5,000 files…): at another size a verdict
   * would compare unlike things, so none is printed; `workload` says which size the goals need.
   */
  judgeOnlyAt(workload: string, matches: boolean): void {
    if (!matches) this.#unjudged = workload;
  }

  /** A line of context printed before the figures (sizes, load, versions). */
  note(text: string): void {
    this.#notes.push(text);
  }

  /** Prints the figures, the verdicts and the JSON line. Throws if a goal names a missing figure. */
  finish(): void {
    const goals: Goal[] = this.#unjudged !== undefined ? [] : this.#goals.map((g) => {
      const f = this.#figures.get(g.figure);
      if (!f) throw new BenchError(`goal ${g.row} is on ${g.figure}, which was not measured`);
      return { ...g, value: f.value, unit: f.unit, met: g.op === '<' ? f.value < g.limit : f.value <= g.limit };
    });
    const lines: string[] = [...this.#notes];
    for (const [name, f] of this.#figures) lines.push(`${name}: ${format(f.value)} ${f.unit}`);
    if (this.#unjudged !== undefined && this.#goals.length > 0) lines.push(`goals not judged: they are stated for ${this.#unjudged}`);
    for (const g of goals) lines.push(`goal ${g.row}: ${g.met ? 'met' : 'missed'} (${g.figure} ${format(g.value)} ${g.unit}, goal ${g.op} ${g.limit})`);
    const figures = Object.fromEntries([...this.#figures].map(([k, f]) => [k, { value: round(f.value), unit: f.unit }]));
    lines.push(JSON.stringify({ bench: this.#bench, options: this.#options, loadAverage: loadAverage(), figures, goals: goals.map((g) => ({ ...g, value: round(g.value) })) }));
    this.#write(`${lines.join('\n')}\n`);
  }
}

function round(value: number): number {
  return Number.isInteger(value) ? value : Number(value.toPrecision(4));
}

function format(value: number): string {
  return Number.isInteger(value) ? String(value) : Math.abs(value) >= 100 ? value.toFixed(0) : value.toPrecision(3);
}

/** One-minute load average: the machine is shared, and a figure means little without it. */
function loadAverage(): number {
  return Number(loadavg()[0]!.toFixed(2));
}

/**
 * Runs a benchmark's main: a BenchError prints its sentence (`bench NAME: …`) and exits 1;
 * anything else prints its stack (a bug in the benchmark) and exits 1.
 */
export async function runBench(name: string, main: () => Promise<void> | void): Promise<void> {
  try {
    await main();
  } catch (error) {
    process.stderr.write(error instanceof BenchError ? `bench ${name}: ${error.message}\n` : `bench ${name} failed: ${(error as Error).stack ?? String(error)}\n`);
    process.exitCode = 1;
  }
}
