import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { parseHealth } from '../../../controller/fleet/graph/parse-health.ts';
import { parseSoftware } from '../../../controller/fleet/graph/parse-software.ts';
import { healthDocument } from './spec-examples.ts';

const test = suite('parseHealth');

const connected = { connectionStatus: 'connected', lastModifiedDateTime: '2025-05-21T16:00:00Z' };
const disconnected = { connectionStatus: 'disconnected', lastModifiedDateTime: '2025-05-21T16:00:00Z' };
const peripheral = (connection: unknown) => ({ isOptional: false, connection });

test('parseSoftware gives the summary of the health document beside the software (spec example, shortened)', () => {
  const parsed = parseSoftware('7b1e', healthDocument);
  assert.ok(parsed.ok);
  if (!parsed.ok) return;
  // The shortened example has no microphone, speakers or content camera: absent, not down.
  assert.equal(parsed.value.health, { online: 'ok', teamsSignIn: 'ok', exchangeSignIn: 'ok', roomCamera: 'ok', display: 'ok', compute: 'ok' });
});

test('the full documented example: the optional content camera is down, HDMI ingest is left out', () => {
  const p = (connection: unknown, isOptional = false) => ({ isOptional, connection });
  assert.equal(parseHealth({
    connection: connected,
    loginStatus: { exchangeConnection: connected, teamsConnection: connected, skypeConnection: { connectionStatus: 'unknown' } },
    peripheralsHealth: {
      roomCameraHealth: p(connected), contentCameraHealth: p(disconnected, true), speakerHealth: p(connected), communicationSpeakerHealth: p(connected),
      microphoneHealth: p(connected), displayHealthCollection: [p(connected)],
    },
    hardwareHealth: { computeHealth: p(connected), hdmiIngestHealth: p(disconnected, true) },
  }), {
    online: 'ok', teamsSignIn: 'ok', exchangeSignIn: 'ok', roomCamera: 'ok', contentCamera: 'down', microphone: 'ok', speaker: 'ok',
    communicationSpeaker: 'ok', display: 'ok', compute: 'ok',
  });
});

const cases: [string, Record<string, unknown>, Record<string, string>][] = [
  ['an empty document reports nothing (not down)', {}, {}],
  ['a disconnected device is down, PascalCase read too', { connection: { connectionStatus: 'Disconnected' } }, { online: 'down' }],
  ['a status it does not know is unknown', { connection: { connectionStatus: 'unknownFutureValue' } }, { online: 'unknown' }],
  ['Teams signed out, Exchange fine', { loginStatus: { teamsConnection: disconnected, exchangeConnection: connected } }, { teamsSignIn: 'down', exchangeSignIn: 'ok' }],
  ['a null camera is absent (missing), not down', { peripheralsHealth: { roomCameraHealth: null, microphoneHealth: peripheral(connected) } }, { microphone: 'ok' }],
  ['a peripheral without a connection is unknown', { peripheralsHealth: { speakerHealth: { isOptional: false } } }, { speaker: 'unknown' }],
  ['one display of two disconnected: the displays are down', { peripheralsHealth: { displayHealthCollection: [peripheral(connected), peripheral(disconnected)] } }, { display: 'down' }],
  ['no display at all: absent', { peripheralsHealth: { displayHealthCollection: [] } }, {}],
  ['HDMI ingest is never compared (unplugged laptops)', { hardwareHealth: { hdmiIngestHealth: peripheral(disconnected), computeHealth: peripheral(connected) } }, { compute: 'ok' }],
];
for (const [name, document, expected] of cases) {
  test(name, () => {
    assert.equal(parseHealth(document), expected);
  });
}

test.run();
