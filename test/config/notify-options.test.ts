// --public-url and --repo-web-url: flags win over the environment, templates are checked once.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { resolveNotifyOptions } from '../../controller/config/notify-options.ts';

const ok: [string, Record<string, string>, Record<string, string>, object][] = [
  ['nothing given: no links', {}, {}, {}],
  ['flags', { 'public-url': 'https://fw.example/', 'repo-web-url': 'https://git.example/fleet/blob/main/{path}' }, {}, { ui: 'https://fw.example/', repo: 'https://git.example/fleet/blob/main/{path}' }],
  ['the environment', {}, { FIRMWARDEN_PUBLIC_URL: 'https://fw.example/#/{namespace}/{kind}/{name}' }, { ui: 'https://fw.example/#/{namespace}/{kind}/{name}' }],
  ['a flag wins over the environment', { 'public-url': 'https://a.example/' }, { FIRMWARDEN_PUBLIC_URL: 'https://b.example/' }, { ui: 'https://a.example/' }],
];
for (const [name, values, env, links] of ok) test(`accepted: ${name}`, () => assert.equal(resolveNotifyOptions(values, env).links, links));

const bad: [string, Record<string, string>, RegExp][] = [
  ['not a URL', { 'public-url': 'fw.example' }, /--public-url 'fw.example' must be an http\(s\) URL/],
  ['another scheme', { 'repo-web-url': 'file:///etc/{path}' }, /--repo-web-url .* must be an http\(s\) URL/],
  ['an unknown placeholder', { 'repo-web-url': 'https://git.example/{branch}/{path}' }, /unknown placeholder \{branch\}; use \{path\}/],
];
for (const [name, values, message] of bad) test(`refused: ${name}`, () => assert.throws(() => resolveNotifyOptions(values, {}), message));

test.run();
