// Readiness as a small gate: not ready until the lead's loop says the first sync and
// reconcile succeeded; it can fall back to not ready (with a reason) when that stops being true.

export interface ReadinessCheck {
  /** Whether the controller should receive traffic now, and why not. */
  check(): { readonly ready: boolean; readonly reason: string };
}

/** A settable readiness state; starts not ready. */
export class ReadinessGate implements ReadinessCheck {
  #ready = false;
  #reason: string;
  constructor(initialReason = 'waiting for the first sync and reconcile') {
    this.#reason = initialReason;
  }
  /** Marks the controller ready. */
  markReady(): void {
    this.#ready = true;
    this.#reason = 'ok';
  }
  /** Marks the controller not ready, saying why (shown by GET /readyz). */
  markNotReady(reason: string): void {
    this.#ready = false;
    this.#reason = reason;
  }
  check(): { ready: boolean; reason: string } {
    return { ready: this.#ready, reason: this.#reason };
  }
}
