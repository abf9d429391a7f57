// Preloaded (node --import) into a Node.js child when /usr/bin/time is not installed: at exit,
// writes the process's peak resident set in KiB (process.resourceUsage().maxRSS, the kernel's
// rusage) to FIRMWARDEN_BENCH_MAXRSS_FILE. See bench/support/measure.ts.
import { writeFileSync } from 'node:fs';

const file = process.env.FIRMWARDEN_BENCH_MAXRSS_FILE;
if (file) {
  // Children of this process must not overwrite the figure with their own.
  delete process.env.FIRMWARDEN_BENCH_MAXRSS_FILE;
  process.on('exit', () => writeFileSync(file, `${process.resourceUsage().maxRSS}\n`));
}
