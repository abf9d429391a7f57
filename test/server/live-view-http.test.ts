// The live view over loopback HTTP: on by default on loopback (and only for a loopback Host),
// off on another address unless a token or --ui; the token exchanged once for a cookie, or
// sent as a bearer; read-only (405 for anything but GET/HEAD); a strict CSP with no inline code;
// server-sent events that carry each new view and end when the server closes.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { request } from 'node:http';
import { Registry } from 'prom-client';
import { silentLogger } from '../../controller/log/logger.ts';
import { startHttpServer, type RunningHttpServer } from '../../controller/server/http-server.ts';
import { createMetrics } from '../../controller/server/metrics.ts';
import { ReadinessGate } from '../../controller/server/readiness.ts';
import { createLiveViewRoutes, liveViewCsp, type LiveViewSource } from '../../controller/server/live-view-http.ts';
import { decideLiveViewAccess, isLoopbackHost, type LiveViewAccess } from '../../controller/server/live-view-access.ts';

/** A view source the test publishes into. */
function testSource() {
  let json: string | undefined;
  const listeners = new Set<() => void>();
  const source: LiveViewSource = {
    json: () => json,
    subscribe: (l) => {
      listeners.add(l);
      return () => listeners.delete(l);
    },
  };
  return {
    source,
    publish(view: unknown) {
      json = JSON.stringify(view);
      for (const l of listeners) l();
    },
    listeners: () => listeners.size,
  };
}

async function withServer(access: LiveViewAccess, fn: (server: RunningHttpServer, views: ReturnType<typeof testSource>) => Promise<void>, closeTimeoutMs = 5_000): Promise<void> {
  const views = testSource();
  const logger = silentLogger();
  const server = await startHttpServer({
    port: 0,
    metrics: createMetrics(new Registry(), { processMetrics: false }),
    readiness: new ReadinessGate(),
    logger,
    closeTimeoutMs,
    liveView: createLiveViewRoutes({ access, source: views.source }, logger),
  });
  try {
    await fn(server, views);
  } finally {
    await server.close();
  }
}

/** A request with any Host header (fetch would set its own). */
function raw(url: string, options: { method?: string; headers?: Record<string, string> } = {}): Promise<{ status: number; headers: Record<string, string | string[] | undefined>; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method: options.method ?? 'GET', headers: options.headers ?? {} }, (res) => {
      let body = '';
      res.on('data', (d: Buffer) => (body += d.toString()));
      res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

const secret = (value: string) => ({ value, reveal() { return this.value; } });
const uiPaths = ['/', '/ui/live-view.css', '/ui/live-view.js', '/ui/favicon.svg', '/api/view', '/api/events'];

const Rules = suite('who may see the live view');
for (const [host, flags, expected] of [
  ['127.0.0.1', { ui: false }, { mode: 'open', loopbackOnly: true }],
  ['127.0.0.53', { ui: false }, { mode: 'open', loopbackOnly: true }],
  ['::1', { ui: false }, { mode: 'open', loopbackOnly: true }],
  ['localhost', { ui: false }, { mode: 'open', loopbackOnly: true }],
  ['0.0.0.0', { ui: false }, { mode: 'off' }],
  ['::', { ui: false }, { mode: 'off' }],
  ['10.1.2.3', { ui: false }, { mode: 'off' }],
  ['0.0.0.0', { ui: true }, { mode: 'open', loopbackOnly: false }],
] as const) {
  Rules(`${host}${flags.ui ? ' with --ui' : ''}: ${expected.mode}`, () => assert.equal(decideLiveViewAccess(host, { ui: flags.ui, token: undefined }), expected));
}
Rules('a token is required wherever it is configured, loopback included', () => {
  for (const host of ['127.0.0.1', '0.0.0.0']) assert.is(decideLiveViewAccess(host, { ui: false, token: secret('t'.repeat(20)) }).mode, 'token');
});
Rules('loopback names', () => {
  assert.equal(['127.0.0.1', '[::1]', 'LOCALHOST', '::ffff:127.0.0.1', '127.1.2.3'].map(isLoopbackHost), [true, true, true, true, true]);
  assert.equal(['0.0.0.0', '128.0.0.1', 'localhost.evil.example', '10.0.0.1', '::'].map(isLoopbackHost), [false, false, false, false, false]);
});

const Loopback = suite('on loopback, by default');
Loopback('the page, its style and script are served under a strict CSP; the page has no inline code', () =>
  withServer(decideLiveViewAccess('127.0.0.1', { ui: false, token: undefined }), async (server) => {
    for (const path of ['/', '/ui/live-view.css', '/ui/live-view.js', '/ui/tenant-picker.js']) {
      const res = await fetch(`${server.url}${path}`);
      assert.is(res.status, 200, path);
      assert.is(res.headers.get('content-security-policy'), liveViewCsp, path);
      assert.is(res.headers.get('x-content-type-options'), 'nosniff');
      assert.is(res.headers.get('referrer-policy'), 'no-referrer');
      assert.is(res.headers.get('x-frame-options'), 'DENY');
      if (path === '/') {
        const html = await res.text();
        assert.match(res.headers.get('content-type') ?? '', 'text/html');
        // Every script is a file; no style element or attribute, no event handler attribute.
        for (const tag of html.match(/<script\b[^>]*>/g) ?? []) assert.match(tag, /\bsrc="\/ui\/(live-view|tenant-picker)\.js"/);
        assert.not.match(html, /<style\b|\sstyle=|\son[a-z]+=|https?:\/\/(?!www\.w3)/i);
      } else {
        await res.arrayBuffer();
      }
    }
    assert.match(liveViewCsp, /default-src 'none'/);
    assert.match(liveViewCsp, /script-src 'self';/);
    assert.not.match(liveViewCsp, /unsafe/);
  }));
Loopback('the view: 503 until the first reconcile, then its JSON', () =>
  withServer(decideLiveViewAccess('127.0.0.1', { ui: false, token: undefined }), async (server, views) => {
    const before = await fetch(`${server.url}/api/view`);
    assert.is(before.status, 503);
    assert.match(await before.text(), 'first reconcile');
    views.publish({ devices: 3, name: '<script>alert(1)</script>' });
    const after = await fetch(`${server.url}/api/view`);
    assert.is(after.status, 200);
    assert.match(after.headers.get('content-type') ?? '', 'application/json');
    assert.is(after.headers.get('content-security-policy'), liveViewCsp);
    assert.equal(await after.json(), { devices: 3, name: '<script>alert(1)</script>' });
  }));
Loopback('read-only: every method but GET and HEAD is 405, on every path of the view', () =>
  withServer(decideLiveViewAccess('127.0.0.1', { ui: false, token: undefined }), async (server) => {
    for (const path of uiPaths) {
      for (const method of ['POST', 'PUT', 'PATCH', 'DELETE']) {
        const res = await fetch(`${server.url}${path}`, { method, body: method === 'DELETE' ? null : 'x' });
        assert.is(res.status, 405, `${method} ${path}`);
        assert.is(res.headers.get('allow'), 'GET, HEAD');
        await res.arrayBuffer();
      }
    }
    const head = await fetch(`${server.url}/`, { method: 'HEAD' });
    assert.is(head.status, 200);
    assert.is(await head.text(), '');
  }));
Loopback('a Host that is not loopback (a DNS-rebinding page) finds nothing', () =>
  withServer(decideLiveViewAccess('127.0.0.1', { ui: false, token: undefined }), async (server, views) => {
    views.publish({ secret: 'room names' });
    for (const host of ['evil.example', `evil.example:${server.port}`, `localhost.evil.example:${server.port}`]) {
      const res = await raw(`${server.url}/api/view`, { headers: { host } });
      assert.is(res.status, 404, host);
    }
    for (const host of [`localhost:${server.port}`, `127.0.0.1:${server.port}`, 'localhost']) assert.is((await raw(`${server.url}/api/view`, { headers: { host } })).status, 200, host);
  }));

const Network = suite('on another address');
Network('without a token or --ui: off, every path 404 (health and metrics unchanged)', () =>
  withServer(decideLiveViewAccess('0.0.0.0', { ui: false, token: undefined }), async (server, views) => {
    views.publish({ devices: 1 });
    for (const path of uiPaths) {
      assert.is((await raw(`${server.url}${path}`)).status, 404, path);
      assert.is((await raw(`${server.url}${path}`, { method: 'POST' })).status, 404, `POST ${path}`);
    }
    assert.is((await fetch(`${server.url}/healthz`)).status, 200);
  }));
Network('with --ui: open to any Host, still read-only', () =>
  withServer(decideLiveViewAccess('0.0.0.0', { ui: true, token: undefined }), async (server, views) => {
    views.publish({ devices: 1 });
    assert.is((await raw(`${server.url}/api/view`, { headers: { host: 'fleet.example.com' } })).status, 200);
    assert.is((await raw(`${server.url}/api/view`, { method: 'PUT' })).status, 405);
  }));

const Token = suite('with a token');
Token('no token: 401; ?token= exchanged once for an HttpOnly cookie and a redirect; bearer works; a wrong one does not', () => {
  const token = secret('correct-horse-battery-staple');
  return withServer(decideLiveViewAccess('0.0.0.0', { ui: false, token }), async (server, views) => {
    views.publish({ devices: 2 });
    for (const path of uiPaths) assert.is((await raw(`${server.url}${path}`)).status, 401, path);
    assert.is((await raw(`${server.url}/?token=wrong`)).status, 401);
    // The query token is only exchanged on the page, never accepted by the API.
    assert.is((await raw(`${server.url}/api/view?token=${token.value}`)).status, 401);

    const exchanged = await raw(`${server.url}/?token=${token.value}`);
    assert.is(exchanged.status, 303);
    assert.is(exchanged.headers.location, '/');
    const setCookie = String(exchanged.headers['set-cookie']);
    assert.match(setCookie, /^firmwarden_ui=[A-Za-z0-9_-]+; Path=\/; HttpOnly; SameSite=Lax$/);
    assert.not.match(setCookie, token.value);
    const cookie = setCookie.split(';')[0]!;

    for (const path of ['/', '/ui/live-view.js', '/api/view']) assert.is((await raw(`${server.url}${path}`, { headers: { cookie } })).status, 200, path);
    assert.is((await raw(`${server.url}/api/view`, { headers: { cookie: 'firmwarden_ui=forged' } })).status, 401);
    assert.is((await raw(`${server.url}/api/view`, { headers: { authorization: `Bearer ${token.value}` } })).status, 200);
    assert.is((await raw(`${server.url}/api/view`, { headers: { authorization: 'Bearer nope' } })).status, 401);
    assert.is((await raw(`${server.url}/api/view`, { method: 'POST', headers: { cookie } })).status, 405);

    // A rotated token ends the sessions of the old one.
    token.value = 'a-new-token-after-rotation';
    assert.is((await raw(`${server.url}/api/view`, { headers: { cookie } })).status, 401);
  });
});

const Events = suite('server-sent events');
Events('the stream carries the current view, then each new one; closing the server ends it cleanly', () =>
  withServer(decideLiveViewAccess('127.0.0.1', { ui: false, token: undefined }), async (server, views) => {
    views.publish({ n: 1 });
    const res = await fetch(`${server.url}/api/events`);
    assert.is(res.status, 200);
    assert.match(res.headers.get('content-type') ?? '', 'text/event-stream');
    assert.is(res.headers.get('content-security-policy'), liveViewCsp);
    const reader = res.body!.getReader();
    let text = '';
    const next = async (what: RegExp) => {
      while (!what.test(text)) {
        const { value, done } = await reader.read();
        if (done) throw new Error(`stream ended before ${what}: ${text}`);
        text += new TextDecoder().decode(value);
      }
    };
    await next(/event: view\ndata: \{"n":1\}\n\n/);
    views.publish({ n: 2, name: 'line\nbreak' });
    await next(/event: view\ndata: \{"n":2,"name":"line\\nbreak"\}\n\n/);
    assert.is(views.listeners(), 1);
    // The close timeout is a minute; a stream cut by it would make read() reject ("terminated"),
    // a stream the server ended reads to its end.
    await server.close();
    const { done } = await reader.read();
    assert.ok(done, 'the stream ended');
    assert.is(views.listeners(), 0);
  }, 60_000));

Rules.run();
Loopback.run();
Network.run();
Token.run();
Events.run();
