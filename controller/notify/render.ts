// The body of a message for each channel type: a Microsoft Teams Adaptive Card (1.4, wrapped as
// the Workflows trigger "When a Teams webhook request is received" expects), Slack Block Kit
// blocks, and firmwarden's own JSON for signed webhooks. PURE.
//
// Everything an event says comes from manifests and devices (names, notes, error messages) and
// is hostile input. It never reaches a place a receiver parses as markup:
//  - Teams: TextBlock text is Markdown, so event text goes into TextRuns of a RichTextBlock,
//    which Adaptive Cards never parse; only firmwarden's own words go into TextBlocks.
//  - Slack: event text goes into plain_text objects; mrkdwn carries only firmwarden's words and
//    links whose URL is percent-encoded where Slack's <url|label> syntax would break.
//  - Every text has its control, line-separator and bidi characters replaced by spaces and is
//    cut to a bound, so one event cannot forge lines or blow the message size limits.
import type { NotificationEvent, NotificationEventType, PendingNotification } from '../model/notification-events.ts';

/** Where a message's links point. */
export interface LinkTemplates {
  /** The live view: a base URL, or a template with {namespace}, {kind}, {name} for the manifest's page. */
  readonly ui?: string | undefined;
  /** The manifest in the config repository, e.g. https://git.example/fleet/blob/main/{path}; also {namespace}, {kind}, {name}. */
  readonly repo?: string | undefined;
}

/** Events listed in full in one message; the others are counted. */
export const listedPerMessage = 15;

const headings: Record<NotificationEventType, [singular: string, plural: string]> = {
  RolloutStopped: ['rollout stopped', 'rollouts stopped'],
  WaveFinished: ['wave finished', 'waves finished'],
  ManifestStalled: ['manifest stalled', 'manifests stalled'],
  UpdateRefused: ['update refused', 'updates refused'],
  ClampApplied: ['scheduled time moved', 'scheduled times moved'],
  ScheduledUpdateCompleted: ['ScheduledUpdate completed', 'ScheduledUpdates completed'],
  OperationTimedOut: ['update timed out', 'updates timed out'],
  UpdateFailed: ['update failed', 'updates failed'],
};
// Trouble first: what a person must act on leads the message.
const typeOrder: readonly NotificationEventType[] = ['RolloutStopped', 'UpdateFailed', 'OperationTimedOut', 'UpdateRefused', 'ManifestStalled', 'ClampApplied', 'WaveFinished', 'ScheduledUpdateCompleted'];

/** Control, separator and bidi characters become one space; the text is trimmed and cut to `max` characters. */
export function plain(text: string, max = 600): string {
  const flat = text.replace(/[\u0000-\u001f\u007f-\u009f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069\s]+/g, ' ').trim();
  return flat.length <= max ? flat : `${flat.slice(0, max - 1)}…`;
}

/** "3 updates failed, 1 rollout stopped": the message's headline, most urgent first. */
export function headline(message: Pick<PendingNotification, 'events' | 'omitted'>): string {
  const counts = countByType(message.events);
  const parts = typeOrder.filter((t) => counts.has(t)).map((t) => {
    const n = counts.get(t)!;
    return `${n} ${headings[t][n === 1 ? 0 : 1]}`;
  });
  const more = message.omitted > 0 ? ` and ${message.omitted} more event${message.omitted === 1 ? '' : 's'}` : '';
  return `${parts.join(', ') || 'no events'}${more}`;
}

function countByType(events: readonly NotificationEvent[]): Map<NotificationEventType, number> {
  const counts = new Map<NotificationEventType, number>();
  for (const e of events) counts.set(e.type, (counts.get(e.type) ?? 0) + 1);
  return counts;
}

function sorted(events: readonly NotificationEvent[]): NotificationEvent[] {
  return [...events].sort((a, b) => typeOrder.indexOf(a.type) - typeOrder.indexOf(b.type) || a.time - b.time);
}

/** The subject's parts. */
function subjectParts(subject: string): { namespace: string; kind: string; name: string } {
  const [namespace = '', kind = '', ...rest] = subject.split('/');
  return { namespace, kind, name: rest.join('/') };
}

/**
 * A template with {path}, {namespace}, {kind} and {name} filled in (each percent-encoded, path
 * segment by segment), or undefined without a template or a needed value. Only http(s) results
 * are links.
 */
export function fillTemplate(template: string | undefined, event: Pick<NotificationEvent, 'subject' | 'path'> | undefined): string | undefined {
  if (template === undefined || template === '') return undefined;
  const parts = event ? subjectParts(event.subject) : undefined;
  let missing = false;
  const url = template.replace(/\{(path|namespace|kind|name)\}/g, (_m, field: string) => {
    const value = field === 'path' ? event?.path : parts?.[field as 'namespace' | 'kind' | 'name'];
    if (value === undefined || value === '') {
      missing = true;
      return '';
    }
    return field === 'path' ? value.split('/').map(encodeURIComponent).join('/') : encodeURIComponent(value);
  });
  return missing || !/^https?:\/\/[^\s]+$/i.test(url) ? undefined : url;
}

/** The live view link of the message: the template filled for its first event, or the base. */
function uiLink(links: LinkTemplates, first: NotificationEvent | undefined): string | undefined {
  return fillTemplate(links.ui, first) ?? fillTemplate(links.ui?.replace(/\{(?:namespace|kind|name|path)\}.*$/, ''), undefined);
}

/** The manifests a message concerns, with their links, in the order their events appear. */
function manifestLinks(events: readonly NotificationEvent[], links: LinkTemplates): { subject: string; label: string; url: string }[] {
  const out = new Map<string, { subject: string; label: string; url: string }>();
  for (const e of events) {
    if (out.has(e.subject)) continue;
    const url = fillTemplate(links.repo, e);
    if (url === undefined) continue;
    const p = subjectParts(e.subject);
    out.set(e.subject, { subject: e.subject, label: `${p.kind} ${p.namespace === 'default' ? '' : `${p.namespace}/`}${p.name}`, url });
  }
  return [...out.values()];
}

const ruleName = (rule: string) => {
  const [ns, name] = rule.split('/');
  return ns === 'default' ? name ?? rule : rule;
};

// --- Microsoft Teams --------------------------------------------------------------------------

type Json = { [key: string]: unknown };

/** The Adaptive Card (version 1.4) of a message. */
export function adaptiveCard(message: PendingNotification, links: LinkTemplates): Json {
  const events = sorted(message.events);
  const listed = events.slice(0, listedPerMessage);
  const body: Json[] = [
    { type: 'TextBlock', text: `firmwarden: ${headline(message)}`, weight: 'Bolder', size: 'Medium', wrap: true },
    { type: 'RichTextBlock', inlines: [{ type: 'TextRun', text: plain(`Rule ${ruleName(message.rule)}`, 300), isSubtle: true }] },
  ];
  let current: NotificationEventType | undefined;
  for (const e of listed) {
    if (e.type !== current) {
      current = e.type;
      const n = countByType(events).get(e.type)!;
      body.push({ type: 'TextBlock', text: `${n} ${headings[e.type][n === 1 ? 0 : 1]}`, weight: 'Bolder', wrap: true, spacing: 'Medium' });
    }
    const url = fillTemplate(links.repo, e);
    const inlines: Json[] = [{ type: 'TextRun', text: plain(e.text) }];
    if (url !== undefined) inlines.push({ type: 'TextRun', text: ' (manifest)', color: 'Accent', selectAction: { type: 'Action.OpenUrl', url } });
    body.push({ type: 'RichTextBlock', inlines, spacing: 'Small' });
  }
  const notListed = events.length - listed.length + message.omitted;
  if (notListed > 0) body.push({ type: 'TextBlock', text: `and ${notListed} more`, isSubtle: true, wrap: true });
  const actions: Json[] = [];
  const ui = uiLink(links, events[0]);
  if (ui !== undefined) actions.push({ type: 'Action.OpenUrl', title: 'Open the live view', url: ui });
  const manifests = manifestLinks(events, links);
  if (manifests.length === 1) actions.push({ type: 'Action.OpenUrl', title: 'Open the manifest', url: manifests[0]!.url });
  const card: Json = {
    type: 'AdaptiveCard',
    $schema: 'http://adaptivecards.io/schemas/adaptive-card.json',
    version: '1.4',
    fallbackText: plain(`firmwarden: ${headline(message)}`, 300),
    body,
  };
  if (actions.length > 0) card.actions = actions;
  return card;
}

/** The request body a Teams Workflows webhook takes: a message with the card as its one attachment. */
export function teamsPayload(message: PendingNotification, links: LinkTemplates): Json {
  return {
    type: 'message',
    attachments: [{ contentType: 'application/vnd.microsoft.card.adaptive', contentUrl: null, content: adaptiveCard(message, links) }],
  };
}

// --- Slack ----------------------------------------------------------------------------------

/** A URL safe inside Slack's <url|label>: the characters that end or split it are percent-encoded. */
function slackUrl(url: string): string {
  return url.replace(/[<>|\s]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase().padStart(2, '0')}`);
}

/** The Slack incoming-webhook body: a fallback text and Block Kit blocks (at most 50, texts within Slack's limits). */
export function slackPayload(message: PendingNotification, links: LinkTemplates): Json {
  const events = sorted(message.events);
  const listed = events.slice(0, listedPerMessage);
  const title = plain(`firmwarden: ${headline(message)}`, 150);
  const blocks: Json[] = [
    { type: 'header', text: { type: 'plain_text', text: title } },
    { type: 'context', elements: [{ type: 'plain_text', text: plain(`Rule ${ruleName(message.rule)}`, 300) }] },
  ];
  for (const e of listed) blocks.push({ type: 'section', text: { type: 'plain_text', text: plain(e.text, 2900) } });
  const notListed = events.length - listed.length + message.omitted;
  if (notListed > 0) blocks.push({ type: 'context', elements: [{ type: 'plain_text', text: `and ${notListed} more` }] });
  const linkTexts: string[] = [];
  const ui = uiLink(links, events[0]);
  if (ui !== undefined) linkTexts.push(`<${slackUrl(ui)}|Open the live view>`);
  for (const m of manifestLinks(listed, links).slice(0, 5)) linkTexts.push(`<${slackUrl(m.url)}|Open the manifest>`);
  if (linkTexts.length > 0) blocks.push({ type: 'context', elements: [{ type: 'mrkdwn', text: linkTexts.join(' · ') }] });
  return { text: title, blocks };
}

// --- Generic webhook ------------------------------------------------------------------------

/** firmwarden's own JSON: the message with its events as data, every link filled in. */
export function webhookPayload(message: PendingNotification, links: LinkTemplates): Json {
  const ui = uiLink(links, sorted(message.events)[0]);
  return {
    apiVersion: 'firmwarden.dev/v1alpha1',
    kind: 'Notification',
    id: message.id,
    rule: message.rule,
    headline: headline(message),
    createdAt: new Date(message.createdAt).toISOString(),
    ...(ui !== undefined ? { liveViewUrl: ui } : {}),
    events: sorted(message.events).map((e) => {
      const p = subjectParts(e.subject);
      const url = fillTemplate(links.repo, e);
      return {
        type: e.type,
        key: e.key,
        subject: { namespace: p.namespace, kind: p.kind, name: p.name },
        ...(e.path !== undefined ? { path: e.path } : {}),
        ...(url !== undefined ? { manifestUrl: url } : {}),
        groups: e.groups,
        policies: e.policies,
        ...(e.device !== undefined ? { device: e.device } : {}),
        text: e.text,
        time: new Date(e.time).toISOString(),
      };
    }),
    omitted: message.omitted,
  };
}
