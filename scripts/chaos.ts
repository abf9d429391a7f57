// `npm run chaos`: the project's standing fault suite. Kills the controller at random points
// against the emulator and a real Git remote, then checks from outside that no update was
// posted twice, nothing was downgraded, no person's edit was lost and no success was claimed
// that did not happen. Seeded (--seed, printed), sized (--kills, --devices, --duration), ends
// by itself. Usage: npm run chaos -- --help
import { randomInt } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import { chaosHelp, ChaosUsageError, parseChaosOptions } from './chaos/options.ts';
import { HarnessError } from './chaos/processes.ts';
import { formatInvariants } from './chaos/report.ts';
import { runChaos } from './chaos/run.ts';

async function main(argv: readonly string[]): Promise<number> {
  let options;
  try {
    options = parseChaosOptions(argv, () => randomInt(2 ** 31 - 1));
  } catch (error) {
    if (!(error instanceof ChaosUsageError)) throw error;
    process.stderr.write(`chaos: ${error.message}\n\n${chaosHelp}`);
    return 2;
  }
  if (options === 'help') {
    process.stdout.write(chaosHelp);
    return 0;
  }
  const stop = new AbortController();
  const onSignal = () => stop.abort(new Error('interrupted'));
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  const print = (line: string) => process.stdout.write(`${line}\n`);
  try {
    const report = await runChaos(options, print, stop.signal);
    print('');
    print(formatInvariants(report.invariants));
    print('');
    for (const note of report.notes) print(note);
    print(`${report.ok ? 'all invariants held' : 'INVARIANTS VIOLATED'} — seed ${report.seed}, ${(report.realMs / 1000).toFixed(0)} s${report.ok && !options.keep && !options.workdir ? '' : `; evidence kept in ${report.workdir}`}`);
    if (options.reportFile) await writeFile(options.reportFile, `${JSON.stringify(report, null, 2)}\n`);
    return report.ok ? 0 : 1;
  } catch (error) {
    if (stop.signal.aborted) {
      process.stderr.write('chaos: interrupted; processes stopped\n');
      return 130;
    }
    if (error instanceof HarnessError) {
      process.stderr.write(`chaos: ${error.message}\n`);
      return 3;
    }
    throw error;
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
}

process.exitCode = await main(process.argv.slice(2));
