// The national clouds Microsoft Graph runs in, with their Graph and sign-in hosts. The token
// scope is always the Graph host of the same cloud: a token for graph.microsoft.com is refused
// by graph.microsoft.us, so the two must never be mixed.

export const CloudNames = ['global', 'usgov', 'usgov-dod', 'china'] as const;
export type CloudName = (typeof CloudNames)[number];

export interface CloudEndpoints {
  /** Graph root without version, e.g. https://graph.microsoft.com */
  readonly graphHost: string;
  /** Microsoft Entra ID sign-in host, e.g. https://login.microsoftonline.com */
  readonly loginHost: string;
  readonly description: string;
}

/** Hosts per cloud, from Microsoft's "national cloud deployments" page. */
export const cloudEndpoints: Readonly<Record<CloudName, CloudEndpoints>> = Object.freeze({
  global: { graphHost: 'https://graph.microsoft.com', loginHost: 'https://login.microsoftonline.com', description: 'Microsoft Graph global service' },
  usgov: { graphHost: 'https://graph.microsoft.us', loginHost: 'https://login.microsoftonline.us', description: 'US Government L4 (GCC High)' },
  'usgov-dod': { graphHost: 'https://dod-graph.microsoft.us', loginHost: 'https://login.microsoftonline.us', description: 'US Government L5 (DoD)' },
  china: { graphHost: 'https://microsoftgraph.chinacloudapi.cn', loginHost: 'https://login.chinacloudapi.cn', description: 'China, operated by 21Vianet' },
});

/** The device API lives only under beta. */
export const graphApiVersion = 'beta';

/** The `.default` scope for a Graph base URL (its origin, whatever the version path). */
export function graphScopeFor(graphBaseUrl: string): string {
  return `${new URL(graphBaseUrl).origin}/.default`;
}
