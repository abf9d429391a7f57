// The HTTP request that carries one message to one channel: the URL from its secret, the payload for its type, signing headers for webhooks.
import type { PendingNotification } from '../model/notification-events.ts';
import { slackPayload, teamsPayload, webhookPayload, type LinkTemplates } from './render.ts';
import { readSecretRef, SecretRefError, type SecretSources } from './secret-ref.ts';
import { deliveryHeader, signBody, signatureHeader, timestampHeader } from './sign.ts';
import type { ChannelConfig } from './notifier-inputs.ts';

/** The request for `message` on `channel`; throws SecretRefError when a secret is missing or unfit (the caller backs off and retries). */
export async function channelRequest(channel: ChannelConfig, message: PendingNotification, now: number, links: LinkTemplates, secrets: SecretSources): Promise<{ url: string; body: string; headers: Record<string, string> }> {
  const where = `NotificationChannel ${channel.key}`;
  const url = await readSecretRef(channel.secretRef, channel.namespace, `${where} spec.secretRef`, secrets);
  if (!/^https?:\/\/\S+$/i.test(url)) throw new SecretRefError(`${where} spec.secretRef: the value is not an http(s) URL`);
  const payload = channel.type === 'teams' ? teamsPayload(message, links) : channel.type === 'slack' ? slackPayload(message, links) : webhookPayload(message, links);
  const body = JSON.stringify(payload);
  const headers: Record<string, string> = { 'user-agent': 'firmwarden', [deliveryHeader]: message.id };
  if (channel.type === 'webhook') {
    if (!channel.signingSecretRef) throw new SecretRefError(`${where}: a webhook channel needs spec.signingSecretRef`);
    const key = await readSecretRef(channel.signingSecretRef, channel.namespace, `${where} spec.signingSecretRef`, secrets);
    if (key.length < 16) throw new SecretRefError(`${where} spec.signingSecretRef: the signing key must be at least 16 characters`);
    const timestamp = Math.floor(now / 1000);
    headers[timestampHeader] = String(timestamp);
    headers[signatureHeader] = signBody(key, timestamp, body);
  }
  return { url, body, headers };
}
