import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { computeBackoffMs, parseRetryAfter } from '../../../controller/fleet/graph/retry-policy.ts';
import { normalizeGraphBase, resolveGraphUrl, toVersionRelative } from '../../../controller/fleet/graph/graph-urls.ts';
import { graphScopeFor, cloudEndpoints } from '../../../controller/fleet/graph/clouds.ts';
import { FleetError } from '../../../controller/model/fleet.ts';

const retry = suite('retry policy');
const now = Date.parse('2025-05-21T16:11:00Z');
const retryAfterCases: [string | number | undefined, number | undefined][] = [
  ['12', 12_000], ['0', 0], ['1.5', 1_500], [' 3 ', 3_000], [2, 2_000], ['Wed, 21 May 2025 16:11:30 GMT', 30_000],
  ['Wed, 21 May 2025 16:10:00 GMT', 0], ['soon', undefined], ['', undefined], [undefined, undefined], ['-5', undefined],
];
for (const [value, expected] of retryAfterCases) {
  retry(`Retry-After ${JSON.stringify(value)} waits ${String(expected)} ms`, () => {
    assert.is(parseRetryAfter(value, now), expected);
  });
}
// Which statuses are retryable: test/fleet/graph/classify-answer.test.ts (the answer table).
retry('backoff is full jitter under a doubling, capped ceiling', () => {
  assert.is(computeBackoffMs(0, () => 0.999999), 499);
  assert.is(computeBackoffMs(3, () => 0.5), 2_000);
  assert.is(computeBackoffMs(20, () => 0.999999), 29_999);
  assert.is(computeBackoffMs(5, () => 0), 0);
});

const urls = suite('graph urls');
const base = 'https://graph.microsoft.com/beta';
const urlCases: [string, string][] = [
  ['/teamwork/devices?$top=50', 'https://graph.microsoft.com/beta/teamwork/devices?$top=50'],
  ['teamwork/devices', 'https://graph.microsoft.com/beta/teamwork/devices'],
  ['/beta/teamwork/devices?$skiptoken=x', 'https://graph.microsoft.com/beta/teamwork/devices?$skiptoken=x'],
  ['https://graph.microsoft.com/beta/teamwork/devices?$top=2&$skiptoken=c2tp', 'https://graph.microsoft.com/beta/teamwork/devices?$top=2&$skiptoken=c2tp'],
  ['/teamwork/devices/7b1e/operations/3f9a', 'https://graph.microsoft.com/beta/teamwork/devices/7b1e/operations/3f9a'],
  ['/betamax/x', 'https://graph.microsoft.com/beta/betamax/x'],
];
for (const [link, expected] of urlCases) {
  urls(`${link} resolves to ${expected}`, () => assert.is(resolveGraphUrl(base, link), expected));
}
urls('a link to another host is refused (the token must not leave)', () => {
  try {
    resolveGraphUrl('http://127.0.0.1:4000/beta', 'https://graph.microsoft.com/beta/teamwork/devices');
    assert.unreachable();
  } catch (error) {
    assert.ok(error instanceof FleetError && error.code === 'foreignLink' && !error.retryable);
  }
});
urls('normalizes the base and makes version-relative paths for $batch', () => {
  assert.is(normalizeGraphBase('http://127.0.0.1:4000'), 'http://127.0.0.1:4000/beta');
  assert.is(normalizeGraphBase('https://graph.microsoft.us/beta/'), 'https://graph.microsoft.us/beta');
  assert.is(toVersionRelative(base, '/teamwork/devices/a/operations/b'), '/teamwork/devices/a/operations/b');
  assert.is(toVersionRelative(base, 'https://graph.microsoft.com/beta/teamwork/devices/a/operations/b?x=1'), '/teamwork/devices/a/operations/b?x=1');
});
urls('the scope is the Graph origin of the same cloud', () => {
  assert.is(graphScopeFor('https://dod-graph.microsoft.us/beta'), 'https://dod-graph.microsoft.us/.default');
  assert.is(graphScopeFor(`${cloudEndpoints.china.graphHost}/beta`), 'https://microsoftgraph.chinacloudapi.cn/.default');
  assert.is(cloudEndpoints['usgov-dod'].loginHost, 'https://login.microsoftonline.us');
});

retry.run();
urls.run();
