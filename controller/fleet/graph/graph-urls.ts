// Graph URLs. nextLinks and Location headers come absolute (https://graph.microsoft.com/beta/…)
// or relative without the version (/teamwork/devices?…): both resolve against the base, which
// includes /beta. A link to another origin is refused: the bearer token must not leave the host.
import { FleetError } from '../../model/fleet.ts';

/** The base URL without trailing slash; a bare origin gets the `/beta` version path. */
export function normalizeGraphBase(url: string): string {
  const parsed = new URL(url);
  const path = parsed.pathname.replace(/\/+$/, '');
  return `${parsed.origin}${path === '' ? '/beta' : path}`;
}

/** An absolute URL for a path or link, checked to stay on the Graph origin. */
export function resolveGraphUrl(base: string, link: string): string {
  const baseUrl = new URL(base);
  if (/^[a-z][a-z0-9+.-]*:/i.test(link)) {
    const target = new URL(link);
    if (target.origin !== baseUrl.origin) {
      throw new FleetError(`refusing to follow a link to another host (${target.origin})`, { retryable: false, code: 'foreignLink' });
    }
    return target.toString();
  }
  const path = link.startsWith('/') ? link : `/${link}`;
  const basePath = baseUrl.pathname.replace(/\/+$/, '');
  // A relative link may already carry the version (/beta/teamwork/…): do not double it.
  if (basePath !== '' && (path === basePath || path.startsWith(`${basePath}/`) || path.startsWith(`${basePath}?`))) {
    return `${baseUrl.origin}${path}`;
  }
  return `${baseUrl.origin}${basePath}${path}`;
}

/** The path of a URL relative to the version root, as a $batch inner request wants it. */
export function toVersionRelative(base: string, link: string): string {
  const absolute = new URL(resolveGraphUrl(base, link));
  const basePath = new URL(base).pathname.replace(/\/+$/, '');
  const path = absolute.pathname.startsWith(`${basePath}/`) ? absolute.pathname.slice(basePath.length) : absolute.pathname;
  return `${path}${absolute.search}`;
}

/** Encodes a device or operation id for a path segment. */
export function segment(id: string): string {
  return encodeURIComponent(id);
}
