/**
 * Derives the TypeScript types of every canonical message and of the configuration from the JSON
 * Schemas in schemas/, so the schemas stay the one source of truth. `--check` fails when the
 * checked-in output is stale (CI runs it).
 */
import { readFile, writeFile, readdir } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { compile, type JSONSchema } from 'json-schema-to-typescript';

const root = resolve(import.meta.dirname, '..');
const schemaDir = join(root, 'schemas');
const outFile = join(root, 'src/messages/generated-types.ts');

async function listSchemas(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true, recursive: true });
  return entries
    .filter((e) => e.isFile() && e.name.endsWith('.schema.json'))
    .map((e) => join(e.parentPath, e.name))
    .sort();
}

const files = await listSchemas(schemaDir);
const byId = new Map<string, JSONSchema>();
for (const file of files) {
  const schema = JSON.parse(await readFile(file, 'utf8')) as JSONSchema;
  byId.set(String(schema.$id), schema);
}

/** Resolves a JSON pointer fragment (`/$defs/party`) inside a document. */
function atPointer(doc: unknown, fragment: string): unknown {
  let node = doc;
  for (const part of fragment.split('/').filter(Boolean)) node = (node as Record<string, unknown>)[part];
  if (node === undefined) throw new Error(`unresolved pointer #${fragment}`);
  return node;
}

/**
 * Inline cross-file `urn:` references so the compiler sees one self-contained schema. Inside an
 * inlined document, its own local `#/...` references are inlined too, since they would otherwise
 * point into the wrong document.
 */
function inlineRefs(node: unknown, doc: unknown, isRoot: boolean): unknown {
  if (Array.isArray(node)) return node.map((n) => inlineRefs(n, doc, isRoot));
  if (node === null || typeof node !== 'object') return node;
  const obj = node as Record<string, unknown>;
  const ref = obj.$ref;
  if (typeof ref === 'string' && ref.startsWith('urn:')) {
    const [id, fragment] = ref.split('#');
    const target = byId.get(id ?? '');
    if (!target) throw new Error(`unresolved $ref ${ref}`);
    // A shared definition is declared once, by the schema that owns it; elsewhere it is named.
    const def = atPointer(target, fragment ?? '') as { title?: string };
    const defName = /^\/\$defs\/(\w+)$/.exec(fragment ?? '')?.[1];
    if (defName) return { tsType: def.title ?? defName[0]!.toUpperCase() + defName.slice(1) };
    return inlineRefs(def, target, false);
  }
  if (typeof ref === 'string' && ref.startsWith('#') && !isRoot) {
    return inlineRefs(atPointer(doc, ref.slice(1)), doc, false);
  }
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(obj)) if (k !== '$id') out[k] = inlineRefs(v, doc, isRoot);
  return out;
}

let output = '/* Generated from schemas/ by scripts/generate-message-types.ts. Do not edit: change the schema and run `npm run schemas:types`. */\n/* eslint-disable */\n';
for (const [id, schema] of byId) {
  const ts = await compile(inlineRefs(schema, schema, true) as JSONSchema, String(schema.title), {
    bannerComment: '',
    additionalProperties: false,
    strictIndexSignatures: true,
    unreachableDefinitions: true,
    ignoreMinAndMaxItems: true,
    format: true,
    declareExternallyReferenced: true,
    style: { singleQuote: true },
  });
  output += `\n// ${id}\n${ts}`;
}

const generated = output;

if (process.argv.includes('--check')) {
  const current = await readFile(outFile, 'utf8').catch(() => '');
  if (current !== generated) {
    console.error('src/messages/generated-types.ts is stale: run `npm run schemas:types` and commit the result.');
    process.exit(1);
  }
  console.log('generated types are up to date');
} else {
  await writeFile(outFile, generated);
  console.log(`wrote ${outFile} from ${files.length} schemas`);
}
