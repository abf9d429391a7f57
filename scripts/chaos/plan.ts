// What a chaos run will do, decided from its seed alone (pure): which kind of kill in which
// time slot, how long the controller stays down, when faults strike, when people edit and when
// new versions come out. The same seed gives the same plan; the interleaving with the
// controller's own timing still varies from run to run.
import { createRandom, hashSeed, pick, pickWeighted, type Random } from '../../controller/fleet/emulator/prng.ts';

/**
 * Where a kill lands. `intent`: as soon as the state file holds a new intent (saved, not yet
 * answered), while the emulator holds each POST a moment before deciding on it, and then
 * decides that the held POST is never carried out; `answer-lost`: the same, but the held POST is
 * carried out after the controller died; `git`: when a lock file appears in the controller's
 * clone (mid commit, fetch, reset or push); `random`: at a random moment.
 */
export const KillKinds = ['intent', 'answer-lost', 'git', 'random'] as const;
export type KillKind = (typeof KillKinds)[number];

export interface PlannedKill {
  /** 1-based. */
  readonly index: number;
  readonly kind: KillKind;
  /** Real ms after the chaos phase began: when to start waiting for the trigger (or kill, for `random`). */
  readonly armAtMs: number;
  /** When a trigger that never came gives way to a plain kill. */
  readonly deadlineMs: number;
  /**
   * Real ms between the trigger and the kill: 0 for `git`; up to 120 ms for `intent` (the
   * POST not yet sent, or sent and held); 60-120 ms for `answer-lost` (the POST sent and held).
   */
  readonly killDelayMs: number;
  /** How long the controller stays down. */
  readonly downtimeMs: number;
  /** Whether a person pushes an edit while it is down. */
  readonly editWhileDown: boolean;
}

export const FaultKinds = ['throttle', 'server-errors', 'hang', 'lost-answers', 'latency', 'stuck'] as const;
export type FaultKind = (typeof FaultKinds)[number];

export interface FaultEpisode {
  readonly atMs: number;
  readonly kind: FaultKind;
  readonly lastsMs: number;
  /** Emulator fault settings while it lasts, and the ones that end it. */
  readonly patch: Readonly<Record<string, number>>;
  readonly reset: Readonly<Record<string, number>>;
}

export interface ChaosPlan {
  readonly kills: readonly PlannedKill[];
  readonly episodes: readonly FaultEpisode[];
  /** Real ms after the start of the chaos phase at which a new version comes out. */
  readonly releases: readonly number[];
  /** Real ms at which a person pushes an edit (besides the edits while the controller is down). */
  readonly edits: readonly number[];
}

/**
 * Emulator faults of a kill: `patch` while it waits for its trigger, `onKill` right after the
 * kill, `reset` once a held request has been decided on (after `holdMs`).
 */
export const killFaults: Readonly<Record<KillKind, { patch: Record<string, number>; onKill: Record<string, number>; reset: Record<string, number>; holdMs: number }>> = {
  // The emulator holds each POST 300 ms before its faults are decided and it is carried out
  // (reads stay fast): a POST sent just after the intent was saved is still held when the
  // controller dies, and the hang decided after the kill means it never runs.
  intent: { patch: { actionLatencyMs: 300 }, onKill: { hangRate: 1 }, reset: { actionLatencyMs: 0, hangRate: 0 }, holdMs: 500 },
  // The same hold without the hang: the POST is carried out after its sender died.
  'answer-lost': { patch: { actionLatencyMs: 300 }, onKill: {}, reset: { actionLatencyMs: 0 }, holdMs: 500 },
  git: { patch: {}, onKill: {}, reset: {}, holdMs: 0 },
  random: { patch: {}, onKill: {}, reset: {}, holdMs: 0 },
};

const episodeShapes: Readonly<Record<FaultKind, { patch: Record<string, number>; reset: Record<string, number> }>> = {
  throttle: { patch: { throttleRate: 0.4, retryAfterSeconds: 1 }, reset: { throttleRate: 0, throttleNext: 0 } },
  'server-errors': { patch: { serverErrorNext: 4 }, reset: { serverErrorNext: 0 } },
  hang: { patch: { hangNext: 2 }, reset: { hangNext: 0 } },
  'lost-answers': { patch: { dropAnswerNext: 3 }, reset: { dropAnswerNext: 0 } },
  latency: { patch: { latencyMs: 300 }, reset: { latencyMs: 0 } },
  stuck: { patch: { stuckOperationRate: 0.3 }, reset: { stuckOperationRate: 0 } },
};

function between(random: Random, min: number, max: number): number {
  return Math.round(min + random() * (max - min));
}

/** Kinds for `count` kills: every kind once per round of four, each round shuffled. */
function killKinds(random: Random, count: number): KillKind[] {
  const out: KillKind[] = [];
  while (out.length < count) {
    const round = [...KillKinds];
    for (let i = round.length - 1; i > 0; i--) {
      const j = Math.floor(random() * (i + 1));
      [round[i], round[j]] = [round[j]!, round[i]!];
    }
    out.push(...round);
  }
  return out.slice(0, count);
}

/** The plan of a run of `durationMs` with `kills` kills, from `seed`. */
export function planChaos(seed: number, kills: number, durationMs: number): ChaosPlan {
  const random = createRandom(hashSeed(`chaos:${seed}`));
  const kinds = killKinds(random, kills);
  const slot = kills === 0 ? durationMs : durationMs / kills;
  const plannedKills: PlannedKill[] = kinds.map((kind, i) => {
    const start = i * slot;
    const armAtMs = Math.round(start + slot * (0.1 + 0.45 * random()));
    return {
      index: i + 1,
      kind,
      armAtMs,
      deadlineMs: Math.round(start + slot * 0.85),
      killDelayMs: kind === 'intent' ? between(random, 0, 120) : kind === 'answer-lost' ? between(random, 60, 120) : 0,
      downtimeMs: between(random, 200, 2_000),
      editWhileDown: random() < 0.5,
    };
  });
  const episodes: FaultEpisode[] = [];
  for (let at = between(random, 1_000, 4_000); at < durationMs; at += between(random, 3_000, 7_000)) {
    const kind = pickWeighted(random, [['throttle', 2], ['server-errors', 2], ['hang', 1], ['lost-answers', 3], ['latency', 1], ['stuck', 1]] as const);
    episodes.push({ atMs: at, kind, lastsMs: between(random, 1_000, 3_000), ...episodeShapes[kind] });
  }
  const releases: number[] = [];
  for (let at = between(random, 2_000, 5_000); at < durationMs; at += between(random, 4_000, 8_000)) releases.push(at);
  const edits: number[] = [];
  for (let at = between(random, 3_000, 8_000); at < durationMs; at += between(random, 6_000, 14_000)) edits.push(at);
  return { kills: plannedKills, episodes, releases, edits };
}

/** A seeded generator for the run's other choices (which model gets a release, which file a person edits). */
export function choiceRandom(seed: number): { random: Random; pick: <T>(items: readonly T[]) => T } {
  const random = createRandom(hashSeed(`chaos-choices:${seed}`));
  return { random, pick: (items) => pick(random, items) };
}
