// `firmwarden schemas --write DIR`: puts the JSON Schemas of the kinds into a folder of the
// user's config repository, so editors check manifests offline and from any copy of them. The
// schemas are written as shipped (schemas/*.schema.json, whose $ids are the published URLs),
// plus manifest.schema.json, which checks any document by its kind (for a glob in the editor's
// settings, where one file may hold several kinds), and vscode-settings.json, the Red Hat YAML
// extension's `yaml.schemas` mapping to merge into .vscode/settings.json.
import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import { isAbsolute, join, relative, resolve, sep } from 'node:path';
import type { Command } from './command.ts';
import { ExitCode } from './command.ts';
import { UsageError } from '../config/usage-error.ts';
import { parseFlags } from './parse-flags.ts';
import { schemasFlags } from './command-flags.ts';
import { escapeText } from '../output/escape.ts';

const help = `Usage: firmwarden schemas --write DIR

Writes the JSON Schemas of the firmwarden kinds into DIR (created if missing), for editors:
  <kind>.schema.json, common.schema.json   the schemas, as this version of firmwarden checks them
  manifest.schema.json                     any manifest, checked by its kind (other kinds pass)
  vscode-settings.json                     "yaml.schemas" for VS Code's YAML extension (Red Hat)
Files of the same names are replaced; nothing else in DIR is touched. Run it again after
upgrading firmwarden. Run it from the folder your editor opens (the repository's root): the
settings snippet names DIR relative to it.

A manifest then names its schema relative to itself, which keeps working wherever the
repository is cloned, e.g. groups/lab.yaml with DIR = .firmwarden/schemas:
  # yaml-language-server: $schema=../.firmwarden/schemas/devicegroup.schema.json

Options:
      --write DIR   the folder to write into (e.g. .firmwarden/schemas)
  -h, --help        this help
`;

/** The file the kind-dispatching schema is written as. */
export const manifestSchemaFile = 'manifest.schema.json';
/** The file the VS Code settings snippet is written as. */
export const settingsSnippetFile = 'vscode-settings.json';

/** One file to write: its name in the folder and its text. */
export interface SchemaFile {
  readonly file: string;
  readonly text: string;
}

/** Where the shipped schemas are: schemas/ beside controller/ (or dist/) in the repository and the package. */
export const shippedSchemaDir = new URL('../../schemas/', import.meta.url);

/** Reads the shipped schemas, sorted by file name. */
export async function readShippedSchemas(dir: URL = shippedSchemaDir): Promise<SchemaFile[]> {
  const names = (await readdir(dir)).filter((n) => n.endsWith('.schema.json')).sort();
  return Promise.all(names.map(async (file) => ({ file, text: await readFile(new URL(file, dir), 'utf8') })));
}

type Schema = { $id?: string; title?: string; properties?: { kind?: { enum?: string[]; const?: string }; apiVersion?: { enum?: string[] } } };

/**
 * Everything `schemas --write` puts in the folder: the shipped schemas unchanged, the schema that
 * dispatches on `kind`, and the settings snippet, which names the folder as `settingsDir` (a path
 * relative to the editor's workspace, or absolute). Pure.
 */
export function editorSchemaFiles(shipped: readonly SchemaFile[], settingsDir: string): SchemaFile[] {
  const kinds: { kind: string; file: string; apiVersions: string[] }[] = [];
  let idBase: string | undefined;
  for (const { file, text } of shipped) {
    const schema = JSON.parse(text) as Schema;
    if (schema.$id?.endsWith(`/${file}`)) idBase ??= schema.$id.slice(0, -file.length);
    const kind = schema.properties?.kind?.const ?? schema.properties?.kind?.enum?.[0];
    if (kind !== undefined) kinds.push({ kind, file, apiVersions: schema.properties?.apiVersion?.enum ?? [] });
  }
  if (idBase === undefined || kinds.length === 0) throw new Error('the shipped schemas have no $id or no kind: is schemas/ complete?');
  const apiVersions = [...new Set(kinds.flatMap((k) => k.apiVersions))].sort();
  const ownGroup = { type: 'object', required: ['apiVersion'], properties: { apiVersion: { type: 'string', pattern: '^firmwarden\\.dev/' } } };
  const dispatch = {
    $schema: 'https://json-schema.org/draft/2020-12/schema',
    $id: `${idBase}${manifestSchemaFile}`,
    title: 'firmwarden manifest',
    description: `Any firmwarden manifest (${kinds.map((k) => k.kind).join(', ')}), checked against the schema of its kind. Documents of other API groups (a Deployment, a kustomization) are not checked.`,
    allOf: [
      { if: ownGroup, then: { type: 'object', required: ['kind'], properties: { apiVersion: { enum: apiVersions }, kind: { enum: kinds.map((k) => k.kind) } } } },
      // A document naming its kind before its apiVersion (a new file being typed) is checked too.
      ...kinds.map(({ kind, file }) => ({
        if: { type: 'object', required: ['kind'], properties: { kind: { const: kind }, apiVersion: { type: 'string', pattern: '^firmwarden\\.dev/' } } },
        then: { $ref: file },
      })),
    ],
  };
  // VS Code resolves a relative path in yaml.schemas against the workspace folder.
  const folder = settingsDir.split(sep).join('/').replace(/(.)\/+$/, '$1');
  const schemaPath = folder === '.' ? `./${manifestSchemaFile}` : isAbsolute(settingsDir) || /^\.\.?\//.test(folder) ? `${folder}/${manifestSchemaFile}` : `./${folder}/${manifestSchemaFile}`;
  const settings = { 'yaml.schemas': { [schemaPath]: ['**/*.yaml', '**/*.yml'] } };
  return [
    ...shipped,
    { file: manifestSchemaFile, text: `${JSON.stringify(dispatch, null, 2)}\n` },
    { file: settingsSnippetFile, text: `${JSON.stringify(settings, null, 2)}\n` },
  ];
}

/** The path the settings snippet names DIR by: relative to `cwd` when inside it, else absolute. */
export function settingsPathFor(cwd: string, dir: string): string {
  const absolute = resolve(cwd, dir);
  const rel = relative(cwd, absolute);
  return rel === '' ? '.' : rel.startsWith('..') || isAbsolute(rel) ? absolute : rel;
}

/** The schemas command. */
export const schemasCommand: Command = async (args, io) => {
  const { values } = parseFlags(args, { options: schemasFlags });
  if (values.help) {
    io.stdout.write(help);
    return ExitCode.ok;
  }
  if (values.write === undefined || values.write === '') {
    throw new UsageError('--write DIR is required: the folder to write the schemas into, e.g. firmwarden schemas --write .firmwarden/schemas');
  }
  const dir = resolve(io.cwd, values.write);
  const files = editorSchemaFiles(await readShippedSchemas(), settingsPathFor(io.cwd, values.write));
  try {
    await mkdir(dir, { recursive: true });
    for (const { file, text } of files) await writeFile(join(dir, file), text);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? 'error';
    const path = (error as NodeJS.ErrnoException).path ?? dir;
    io.stderr.write(`firmwarden schemas: cannot write ${escapeText(path)} (${code}); choose a folder you can write to with --write DIR\n`);
    return ExitCode.usage;
  }
  const shown = escapeText(values.write);
  io.stdout.write(
    `wrote ${files.length} files to ${shown}: ${files.map((f) => f.file).join(', ')}\n` +
      `A manifest names its schema relative to itself, e.g. in groups/lab.yaml beside ${shown}:\n` +
      `  # yaml-language-server: $schema=${escapeText(relative(join(io.cwd, 'groups'), join(dir, 'devicegroup.schema.json')).split(sep).join('/'))}\n` +
      `For files without that line, merge ${shown}/${settingsSnippetFile} into .vscode/settings.json.\n`,
  );
  return ExitCode.ok;
};
