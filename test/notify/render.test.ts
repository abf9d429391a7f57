// The bodies sent to Teams, Slack and signed webhooks: the exact Adaptive Card (and that it is a
// valid Adaptive Card 1.4 by Microsoft's own schema), hostile text kept out of markup, links.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { readFileSync } from 'node:fs';
import Ajv from 'ajv';
import addFormats from 'ajv-formats';
import draft6 from 'ajv/dist/refs/json-schema-draft-06.json' with { type: 'json' };
import type { NotificationEvent, PendingNotification } from '../../controller/model/notification-events.ts';
import { adaptiveCard, fillTemplate, headline, slackPayload, teamsPayload, webhookPayload } from '../../controller/notify/render.ts';

// test/fixtures/adaptive-card: Microsoft's schema (MIT), unchanged. It is draft-06 but names its
// id the draft-04 way ("id"), which Ajv refuses; it is renamed here, in memory only.
const { id, ...acSchema } = JSON.parse(readFileSync(new URL('../fixtures/adaptive-card/adaptive-card-1.4.schema.json', import.meta.url), 'utf8')) as Record<string, unknown>;
const ajv = new Ajv.default({ strict: false, allErrors: true });
ajv.addMetaSchema(draft6);
addFormats.default(ajv);
const validateCard = ajv.compile({ ...acSchema, $id: id as string });

test('the schema check is live: a card Teams would refuse fails it', () => {
  assert.not.ok(validateCard({ type: 'AdaptiveCard', version: '1.4', body: [{ type: 'TextBlock' }] }), 'a TextBlock needs text');
  assert.not.ok(validateCard({ type: 'AdaptiveCard', version: '1.4', body: [{ type: 'RichTextBlock', inlines: [{ type: 'TextRun', text: 'x', markdown: true }] }] }));
});

function assertValidCard(card: unknown): void {
  const ok = validateCard(card);
  assert.ok(ok, JSON.stringify(validateCard.errors?.slice(0, 5), null, 1));
}

const t = Date.parse('2027-03-01T10:00:00Z');
type EventParts = { [K in keyof NotificationEvent]?: NotificationEvent[K] | undefined };
const event = (parts: EventParts): NotificationEvent => ({
  type: 'UpdateFailed',
  key: 'UpdateFailed|d1|firmware|1.2.0|0',
  subject: 'default/UpdatePolicy/general',
  path: 'policies/general.yaml',
  groups: ['paris'],
  policies: ['general'],
  device: 'Room 4.12',
  text: 'Room 4.12: firmware update to 1.2.0 failed (InstallFailed): disk full',
  time: t,
  ...parts,
}) as NotificationEvent;
const message = (events: NotificationEvent[], omitted = 0): PendingNotification => ({ id: 'a1b2c3', rule: 'default/it-ops-trouble', channel: 'default/it-ops-teams', createdAt: t, attempts: 0, events, omitted });
const links = { ui: 'https://firmwarden.example/', repo: 'https://git.example/fleet/blob/main/{path}' };

test('the Teams body: a message whose one attachment is this Adaptive Card 1.4', () => {
  const m = message([
    event({}),
    event({ type: 'RolloutStopped', key: 'k2', text: 'The firmware 1.2.0 rollout of UpdatePolicy general stopped in wave 2 of 3: 3 of 5 finished updates failed (60%)', device: undefined }),
  ]);
  const body = teamsPayload(m, links);
  assert.equal(body, {
    type: 'message',
    attachments: [
      {
        contentType: 'application/vnd.microsoft.card.adaptive',
        contentUrl: null,
        content: {
          type: 'AdaptiveCard',
          $schema: 'http://adaptivecards.io/schemas/adaptive-card.json',
          version: '1.4',
          fallbackText: 'firmwarden: 1 rollout stopped, 1 update failed',
          body: [
            { type: 'TextBlock', text: 'firmwarden: 1 rollout stopped, 1 update failed', weight: 'Bolder', size: 'Medium', wrap: true },
            { type: 'RichTextBlock', inlines: [{ type: 'TextRun', text: 'Rule it-ops-trouble', isSubtle: true }] },
            { type: 'TextBlock', text: '1 rollout stopped', weight: 'Bolder', wrap: true, spacing: 'Medium' },
            {
              type: 'RichTextBlock',
              spacing: 'Small',
              inlines: [
                { type: 'TextRun', text: 'The firmware 1.2.0 rollout of UpdatePolicy general stopped in wave 2 of 3: 3 of 5 finished updates failed (60%)' },
                { type: 'TextRun', text: ' (manifest)', color: 'Accent', selectAction: { type: 'Action.OpenUrl', url: 'https://git.example/fleet/blob/main/policies/general.yaml' } },
              ],
            },
            { type: 'TextBlock', text: '1 update failed', weight: 'Bolder', wrap: true, spacing: 'Medium' },
            {
              type: 'RichTextBlock',
              spacing: 'Small',
              inlines: [
                { type: 'TextRun', text: 'Room 4.12: firmware update to 1.2.0 failed (InstallFailed): disk full' },
                { type: 'TextRun', text: ' (manifest)', color: 'Accent', selectAction: { type: 'Action.OpenUrl', url: 'https://git.example/fleet/blob/main/policies/general.yaml' } },
              ],
            },
          ],
          actions: [
            { type: 'Action.OpenUrl', title: 'Open the live view', url: 'https://firmwarden.example/' },
            { type: 'Action.OpenUrl', title: 'Open the manifest', url: 'https://git.example/fleet/blob/main/policies/general.yaml' },
          ],
        },
      },
    ],
  });
  assertValidCard((body.attachments as { content: unknown }[])[0]!.content);
});

test('the card of 200 failures lists 15 and counts the rest, and is still a valid card', () => {
  const events = Array.from({ length: 25 }, (_, i) => event({ key: `k${i}`, text: `Room ${i}: firmware update to 1.2.0 failed` }));
  const card = adaptiveCard(message(events, 175), links);
  assertValidCard(card);
  const texts = JSON.stringify(card);
  assert.match(texts, 'firmwarden: 25 updates failed and 175 more events');
  assert.match(texts, '"and 185 more"');
  assert.is((card.body as unknown[]).filter((b) => (b as { type: string }).type === 'RichTextBlock').length, 1 + 15);
});

test('hostile text never reaches Markdown: it stays in TextRuns, on one line, bounded', () => {
  const evil = '**urgent** [reset](https://evil.example) <at>boss</at>\n# Heading\u202etxt.exe ' + 'x'.repeat(2000);
  const card = adaptiveCard(message([event({ text: evil, device: evil })]), {});
  assertValidCard(card);
  const blocks = card.body as { type: string; text?: string; inlines?: { text: string }[] }[];
  for (const b of blocks.filter((x) => x.type === 'TextBlock')) assert.not.match(b.text!, /urgent|evil|Heading/);
  const run = blocks.flatMap((b) => b.inlines ?? []).find((r) => r.text.includes('urgent'))!;
  assert.ok(run.text.startsWith('**urgent** [reset](https://evil.example) <at>boss</at> # Heading txt.exe x'));
  assert.ok(run.text.length <= 600);
  assert.not.match(run.text, /[\n\u202e]/);
  const slack = JSON.stringify(slackPayload(message([event({ text: evil })]), {}));
  assert.not.match(slack, /"mrkdwn","text":"[^"]*urgent/);
  assert.match(slack, /"type":"plain_text","text":"\*\*urgent\*\*/);
});

test('Slack: a header, a context line, plain-text sections and the links as mrkdwn', () => {
  const body = slackPayload(message([event({})]), { ui: 'https://fw.example/view?a=1&b=<2>', repo: links.repo });
  assert.equal(body, {
    text: 'firmwarden: 1 update failed',
    blocks: [
      { type: 'header', text: { type: 'plain_text', text: 'firmwarden: 1 update failed' } },
      { type: 'context', elements: [{ type: 'plain_text', text: 'Rule it-ops-trouble' }] },
      { type: 'section', text: { type: 'plain_text', text: 'Room 4.12: firmware update to 1.2.0 failed (InstallFailed): disk full' } },
      { type: 'context', elements: [{ type: 'mrkdwn', text: '<https://fw.example/view?a=1&b=%3C2%3E|Open the live view> · <https://git.example/fleet/blob/main/policies/general.yaml|Open the manifest>' }] },
    ],
  });
});

test('the webhook body: the events as data, with their links', () => {
  const body = webhookPayload(message([event({})]), links);
  assert.equal(body, {
    apiVersion: 'firmwarden.dev/v1alpha1',
    kind: 'Notification',
    id: 'a1b2c3',
    rule: 'default/it-ops-trouble',
    headline: '1 update failed',
    createdAt: '2027-03-01T10:00:00.000Z',
    liveViewUrl: 'https://firmwarden.example/',
    events: [{
      type: 'UpdateFailed',
      key: 'UpdateFailed|d1|firmware|1.2.0|0',
      subject: { namespace: 'default', kind: 'UpdatePolicy', name: 'general' },
      path: 'policies/general.yaml',
      manifestUrl: 'https://git.example/fleet/blob/main/policies/general.yaml',
      groups: ['paris'],
      policies: ['general'],
      device: 'Room 4.12',
      text: 'Room 4.12: firmware update to 1.2.0 failed (InstallFailed): disk full',
      time: '2027-03-01T10:00:00.000Z',
    }],
    omitted: 0,
  });
});

const templates: [string, string | undefined, EventParts | undefined, string | undefined][] = [
  ['a path is encoded segment by segment', 'https://g.example/blob/main/{path}', { path: 'policies/a b#1.yaml' }, 'https://g.example/blob/main/policies/a%20b%231.yaml'],
  ['namespace, kind and name fill a live view route', 'https://fw.example/#/{namespace}/{kind}/{name}', {}, 'https://fw.example/#/default/UpdatePolicy/general'],
  ['a missing path gives no link rather than a broken one', 'https://g.example/{path}', { path: undefined }, undefined],
  ['only http(s) links', 'javascript:alert(1)//{path}', {}, undefined],
  ['no template, no link', undefined, {}, undefined],
];
for (const [name, template, parts, expected] of templates) {
  test(`fillTemplate: ${name}`, () => assert.is(fillTemplate(template, parts ? event(parts) : undefined), expected));
}

test('headline: trouble first, counts agreeing', () => {
  assert.is(headline(message([event({ type: 'WaveFinished' }), event({}), event({}), event({ type: 'RolloutStopped' })])), '1 rollout stopped, 2 updates failed, 1 wave finished');
});

test.run();
