// A real headless Chromium (Debian's `chromium`, installed by scripts/provision.sh) driven over
// the Chrome DevTools Protocol with Node's own WebSocket: no browser download, no dependency.
// One page per browser; enough for loading a page, reading its DOM and taking a screenshot.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** The Chromium binary: $FIRMWARDEN_CHROMIUM, else `chromium` on the PATH. */
export const chromiumBinary = process.env.FIRMWARDEN_CHROMIUM || 'chromium';

type Pending = { resolve: (value: unknown) => void; reject: (error: Error) => void; method: string };

/** A page in a headless Chromium. */
export class HeadlessPage {
  readonly #process: ChildProcess;
  readonly #socket: WebSocket;
  readonly #profile: string;
  readonly #pending = new Map<number, Pending>();
  readonly #session: string;
  /** Console messages and uncaught exceptions of the page, as text. */
  readonly problems: string[] = [];
  #next = 1;

  private constructor(process: ChildProcess, socket: WebSocket, profile: string, session: string) {
    this.#process = process;
    this.#socket = socket;
    this.#profile = profile;
    this.#session = session;
  }

  /** Starts Chromium and opens a blank page of `width` × `height` CSS pixels. */
  static async launch(options: { width?: number; height?: number } = {}): Promise<HeadlessPage> {
    const profile = mkdtempSync(join(tmpdir(), 'fw-chromium-'));
    const child = spawn(
      chromiumBinary,
      [
        '--headless', '--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage', '--no-first-run', '--no-default-browser-check',
        '--disable-extensions', '--disable-background-networking', '--disable-sync', '--hide-scrollbars', '--mute-audio',
        `--user-data-dir=${profile}`, '--remote-debugging-address=127.0.0.1', '--remote-debugging-port=0', 'about:blank',
      ],
      { stdio: ['ignore', 'ignore', 'pipe'] },
    );
    const endpoint = await new Promise<string>((resolve, reject) => {
      let err = '';
      const timer = setTimeout(() => reject(new Error(`Chromium did not start within 60 s: ${err.slice(-2000)}`)), 60_000);
      child.on('error', (e) => {
        clearTimeout(timer);
        reject(new Error(`cannot start ${chromiumBinary} (install Debian's chromium: scripts/provision.sh): ${e.message}`));
      });
      child.stderr!.on('data', (d: Buffer) => {
        err += d.toString();
        const m = /DevTools listening on (ws:\/\/\S+)/.exec(err);
        if (m) {
          clearTimeout(timer);
          resolve(m[1]!);
        }
      });
    });
    const socket = new WebSocket(endpoint);
    await new Promise<void>((resolve, reject) => {
      socket.addEventListener('open', () => resolve(), { once: true });
      socket.addEventListener('error', () => reject(new Error(`cannot connect to ${endpoint}`)), { once: true });
    });
    const pending = new Map<number, Pending>();
    let page: HeadlessPage | undefined;
    socket.addEventListener('message', (event) => {
      const msg = JSON.parse(String(event.data)) as { id?: number; result?: unknown; error?: { message: string }; method?: string; params?: Record<string, unknown> };
      if (msg.id !== undefined) {
        const map = msg.id < 0 || !page ? pending : page.#pending;
        const p = map.get(msg.id);
        map.delete(msg.id);
        if (msg.error) p?.reject(new Error(`${p.method}: ${msg.error.message}`));
        else p?.resolve(msg.result);
        return;
      }
      if (page && msg.method === 'Runtime.consoleAPICalled') {
        const args = (msg.params?.args as { value?: unknown; description?: string }[] | undefined) ?? [];
        page.problems.push(`console.${String(msg.params?.type)}: ${args.map((a) => a.description ?? String(a.value)).join(' ')}`);
      }
      if (page && msg.method === 'Runtime.exceptionThrown') page.problems.push(`exception: ${JSON.stringify(msg.params?.exceptionDetails)}`);
      if (page && msg.method === 'Log.entryAdded') {
        const entry = msg.params?.entry as { level?: string; text?: string; url?: string } | undefined;
        page.problems.push(`log.${entry?.level}: ${entry?.text} ${entry?.url ?? ''}`);
      }
    });
    let id = 0;
    const browserSend = (method: string, params: Record<string, unknown> = {}, sessionId?: string) =>
      new Promise<unknown>((resolve, reject) => {
        const n = --id; // negative ids before the page exists: never collide with the page's
        pending.set(n, { resolve, reject, method });
        socket.send(JSON.stringify({ id: n, method, params, ...(sessionId ? { sessionId } : {}) }));
      });
    const { targetId } = (await browserSend('Target.createTarget', { url: 'about:blank' })) as { targetId: string };
    const { sessionId } = (await browserSend('Target.attachToTarget', { targetId, flatten: true })) as { sessionId: string };
    page = new HeadlessPage(child, socket, profile, sessionId);
    await page.send('Page.enable');
    await page.send('Runtime.enable');
    await page.send('Log.enable');
    await page.send('Emulation.setDeviceMetricsOverride', { width: options.width ?? 1400, height: options.height ?? 1000, deviceScaleFactor: 1, mobile: false });
    return page;
  }

  /** Sends one DevTools command to the page. */
  send(method: string, params: Record<string, unknown> = {}): Promise<unknown> {
    return new Promise((resolve, reject) => {
      const id = this.#next++;
      this.#pending.set(id, { resolve, reject, method });
      this.#socket.send(JSON.stringify({ id, method, params, sessionId: this.#session }));
    });
  }

  /** Opens `url` and waits for its load event. */
  async goto(url: string): Promise<void> {
    const loaded = this.waitFor('document.readyState === "complete" && location.href !== "about:blank"', `${url} to load`);
    await this.send('Page.navigate', { url });
    await loaded;
  }

  /** The value of a JavaScript expression in the page (JSON-serialisable). */
  async evaluate<T>(expression: string): Promise<T> {
    const r = (await this.send('Runtime.evaluate', { expression, returnByValue: true, awaitPromise: true })) as { result: { value?: T }; exceptionDetails?: { text: string; exception?: { description?: string } } };
    if (r.exceptionDetails) throw new Error(`${expression}: ${r.exceptionDetails.exception?.description ?? r.exceptionDetails.text}`);
    return r.result.value as T;
  }

  /** Waits until `expression` is truthy in the page, checking every 100 ms, at most `timeoutMs` (a deadline, not a measurement). */
  async waitFor<T>(expression: string, what: string, timeoutMs = 60_000): Promise<T> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const value = await this.evaluate<T>(`(() => { try { return (${expression}); } catch { return undefined; } })()`).catch(() => undefined);
      if (value) return value;
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}; page problems: ${this.problems.join(' | ') || 'none'}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }

  /** Saves a PNG of the page to `path`: from `top` (CSS pixels), at most `height` of it (default: all of it). */
  async screenshot(path: string, options: { top?: number; height?: number } = {}): Promise<void> {
    const { cssContentSize } = (await this.send('Page.getLayoutMetrics')) as { cssContentSize: { width: number; height: number } };
    const top = options.top ?? 0;
    const height = Math.min(options.height ?? Infinity, cssContentSize.height - top);
    const r = (await this.send('Page.captureScreenshot', { format: 'png', captureBeyondViewport: true, clip: { x: 0, y: top, width: cssContentSize.width, height, scale: 1 } })) as { data: string };
    writeFileSync(path, Buffer.from(r.data, 'base64'));
  }

  /** Closes the browser and removes its profile. */
  async close(): Promise<void> {
    const exited = new Promise<void>((resolve) => {
      if (this.#process.exitCode !== null || this.#process.signalCode !== null) resolve();
      else this.#process.once('exit', () => resolve());
    });
    this.#process.kill('SIGTERM');
    const timer = setTimeout(() => this.#process.kill('SIGKILL'), 5_000);
    await exited;
    clearTimeout(timer);
    this.#socket.close();
    rmSync(this.#profile, { recursive: true, force: true });
  }
}
