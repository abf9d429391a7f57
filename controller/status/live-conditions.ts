// The Ready and Stalled conditions of a manifest's status, read for the live page.
/** The Ready and Stalled conditions of a manifest's status, as the status says them. */
export interface LiveConditions {
  readonly ready: { readonly status: string; readonly reason: string; readonly message: string } | undefined;
  readonly stalled: { readonly status: string; readonly reason: string; readonly message: string } | undefined;
}

/** The Ready and Stalled conditions of a status as text; absent when the status has none. */
export function conditionsOf(status: unknown): LiveConditions {
  const list = (status as { conditions?: unknown } | null)?.conditions;
  const find = (type: string) => {
    if (!Array.isArray(list)) return undefined;
    const c = list.find((x: { type?: unknown }) => x?.type === type) as { status?: unknown; reason?: unknown; message?: unknown } | undefined;
    if (!c) return undefined;
    return { status: String(c.status ?? ''), reason: String(c.reason ?? ''), message: String(c.message ?? '') };
  };
  return { ready: find('Ready'), stalled: find('Stalled') };
}
