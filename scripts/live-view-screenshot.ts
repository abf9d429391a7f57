// Takes docs/live-view.png: runs `firmwarden demo` (slowed down so a moment can be caught),
// waits until its live view shows a wave in flight and a forecast, and saves the whole page as
// headless Chromium draws it (test/support/chromium.ts; Debian's chromium, see provision.sh).
// Usage: node scripts/live-view-screenshot.ts [OUT.png]   (default: docs/live-view.png)
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { HeadlessPage } from '../test/support/chromium.ts';

const root = new URL('..', import.meta.url).pathname;
const out = process.argv[2] ?? join(root, 'docs/live-view.png');
const workdir = mkdtempSync(join(tmpdir(), 'fw-screenshot-'));
const demo = spawn(process.execPath, [join(root, 'bin/firmwarden.mjs'), 'demo', '--quiet', '--speed', '1500', '--max-days', '10', '--workdir', workdir], {
  stdio: ['ignore', 'pipe', 'inherit'],
});
let page: HeadlessPage | undefined;
try {
  const url = await new Promise<string>((resolve, reject) => {
    let text = '';
    demo.stdout.on('data', (d: Buffer) => {
      text += d.toString();
      const m = /^live view: (\S+)$/m.exec(text);
      if (m) resolve(m[1]!);
    });
    demo.on('exit', () => reject(new Error(`the demo ended before serving its live view:\n${text}`)));
  });
  page = await HeadlessPage.launch({ width: 1280, height: 900 });
  await page.goto(url);
  await page.waitFor(
    // The weekend window has opened in Europe (Friday 23:00 UTC): a wave is under way.
    'Number(document.querySelector(\'#summary [data-state="inProgress"] .n\')?.textContent) >= 20 && document.querySelector("#forecast table.grid")',
    'a wave in flight and a forecast',
    180_000,
  );
  await page.screenshot(out);
  process.stdout.write(`${out}\n`);
} finally {
  await page?.close();
  demo.kill('SIGTERM');
  await new Promise((resolve) => demo.once('exit', resolve));
  rmSync(workdir, { recursive: true, force: true });
}
