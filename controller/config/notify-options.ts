// The links in notifications, from flags or the environment (flags win), checked once: where
// people open the live view (--public-url; the controller's own --listen address is rarely what
// a Teams user can reach) and a manifest's page in the config repository's web UI
// (--repo-web-url). Both are templates: {path} (the file, relative to the repository root),
// {namespace}, {kind} and {name} are filled per manifest, percent-encoded.
import { UsageError } from './usage-error.ts';
import type { LinkTemplates } from '../notify/render.ts';

/** The flags, in parseArgs' format; merge them into the command's own. */
export const notifyFlags = {
  'public-url': { type: 'string' },
  'repo-web-url': { type: 'string' },
} as const;

/** Help lines for these flags. */
export const notifyHelp = `Notifications (NotificationChannel and NotificationRule manifests; links in the messages):
  --public-url URL         where people open the live view (e.g. https://firmwarden.example/); may use
                           {namespace}, {kind}, {name} for a manifest's page          FIRMWARDEN_PUBLIC_URL
  --repo-web-url TEMPLATE  a manifest in the config repository's web UI, with {path} (and {namespace},
                           {kind}, {name}), e.g. https://github.com/acme/fleet/blob/main/{path}   FIRMWARDEN_REPO_WEB_URL
`;

const placeholder = /\{([^{}]*)\}/g;
const known = new Set(['path', 'namespace', 'kind', 'name']);

function checkTemplate(flag: string, value: string): string {
  const text = value.trim();
  if (!/^https?:\/\/[^\s/]+/i.test(text) || /\s/.test(text)) throw new UsageError(`--${flag} '${value}' must be an http(s) URL without blanks`);
  for (const [, name] of text.matchAll(placeholder)) {
    if (!known.has(name!)) throw new UsageError(`--${flag}: unknown placeholder {${name}}; use {path}, {namespace}, {kind} or {name}`);
  }
  return text;
}

/** The link templates from flag values (strings or undefined) and FIRMWARDEN_PUBLIC_URL / FIRMWARDEN_REPO_WEB_URL. */
export function resolveNotifyOptions(values: Readonly<Record<string, unknown>>, env: Readonly<Record<string, string | undefined>>): { readonly links: LinkTemplates } {
  const read = (flag: keyof typeof notifyFlags, variable: string): string | undefined => {
    const v = typeof values[flag] === 'string' ? (values[flag] as string) : env[variable];
    return v === undefined || v.trim() === '' ? undefined : checkTemplate(flag, v);
  };
  const ui = read('public-url', 'FIRMWARDEN_PUBLIC_URL');
  const repo = read('repo-web-url', 'FIRMWARDEN_REPO_WEB_URL');
  return Object.freeze({ links: Object.freeze({ ...(ui !== undefined ? { ui } : {}), ...(repo !== undefined ? { repo } : {}) }) });
}
