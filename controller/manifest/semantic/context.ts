// What every semantic check receives: the manifests of the whole run (all files, because
// references cross files) and a way to report a finding at a path of one of them. When lint is
// given a few files of a repository, the other manifests are there only to be referred to.
import type { Kind, KindMap } from '../kinds.ts';
import type { HolidayDay } from '../../model/desired.ts';
import { kindKey } from '../../policy/manifest-keys.ts';
import type { RuleId } from '../rules.ts';
import type { NameIndex, SuggestBudget } from '../suggest.ts';
import { indexNames } from '../suggest.ts';
import type { PathSegment, Target, YamlDocument } from '../yaml-document.ts';

/** A manifest of a known kind, as the checks see it. */
export type Entry = {
  [K in Kind]: {
    kind: K;
    /** Typed only when schemaValid; otherwise whatever the YAML held. */
    manifest: KindMap[K];
    doc: YamlDocument;
    key: string;
    namespace: string;
    name: string;
    /** Passed schema validation: its fields have the types the schema says. */
    schemaValid: boolean;
  };
}[Kind];

export type EntryOf<K extends Kind> = Extract<Entry, { kind: K }>;

export interface CheckContext {
  readonly now: number;
  /** Every manifest of a known kind, in file and document order: the ones to check. */
  readonly entries: readonly Entry[];
  /**
   * What references may name: entries first, then the manifests of files read only to resolve
   * references (lint given a few files of a repository), which are never checked themselves.
   * Default: entries.
   */
  readonly referable?: readonly Entry[];
  /** Reports a finding about `entry` at `path` (the key or the value of that node). */
  report(entry: Entry, path: readonly PathSegment[], target: Target, rule: RuleId, message: string): void;
  /** The "did you mean" work all checks of this run may still do (see ../suggest.ts). */
  readonly suggestBudget: SuggestBudget;
  /** iCalendar files given with the manifests, by path (the same form as the manifests' paths). Default: none. */
  readonly calendarFiles?: ReadonlyMap<string, string>;
  /** Filled by check-holidays: the days read from each manifest's calendars, by manifest key. */
  readonly calendarDays?: Map<string, HolidayDay[]>;
  /** Filled by check-holidays: calendar paths referenced but not given. */
  readonly missingCalendars?: Set<string>;
}

export type Check = (ctx: CheckContext) => void;

/** The schema-valid manifests of one kind: the only ones whose content checks may trust. */
export function validOf<K extends Kind>(ctx: CheckContext, kind: K): EntryOf<K>[] {
  return ctx.entries.filter((e): e is EntryOf<K> => e.kind === kind && e.schemaValid);
}

const indexes = new WeakMap<readonly Entry[], Map<string, Entry>>();

/** The first manifest of `kind` named `name` in `namespace` (valid or not), among the referable ones. */
export function findEntry<K extends Kind>(ctx: CheckContext, kind: K, namespace: string, name: string): EntryOf<K> | undefined {
  const referable = ctx.referable ?? ctx.entries;
  let index = indexes.get(referable);
  if (!index) {
    index = new Map();
    for (const e of referable) if (!index.has(e.key)) index.set(e.key, e);
    indexes.set(referable, index);
  }
  return index.get(kindKey(namespace, kind, name)) as EntryOf<K> | undefined;
}

const nameIndexes = new WeakMap<readonly Entry[], { names: Map<string, string[]>; indexes: Map<string, NameIndex> }>();

/**
 * The names of every referable manifest of `kind` in `namespace` (valid or not), indexed for suggestions.
 * The entries are grouped in one pass on first use and each group indexed on its first lookup:
 * filtering all entries for each dangling reference made lint quadratic (issue 18).
 */
export function namesOf(ctx: CheckContext, kind: Kind, namespace: string): NameIndex {
  const referable = ctx.referable ?? ctx.entries;
  let cache = nameIndexes.get(referable);
  if (!cache) {
    cache = { names: new Map(), indexes: new Map() };
    for (const e of referable) {
      const scope = `${e.namespace}/${e.kind}`;
      const list = cache.names.get(scope);
      if (list) list.push(e.name);
      else cache.names.set(scope, [e.name]);
    }
    nameIndexes.set(referable, cache);
  }
  const scope = `${namespace}/${kind}`;
  let index = cache.indexes.get(scope);
  if (!index) {
    index = indexNames(cache.names.get(scope) ?? []);
    cache.indexes.set(scope, index);
  }
  return index;
}

/** "policies/vip.yaml:12": where a manifest is, for messages that point at another file. */
export function whereIs(entry: Entry, line?: number): string {
  const start = line ?? entry.doc.lines.position(entry.doc.range[0]).line;
  return `${entry.doc.file}:${start}`;
}
