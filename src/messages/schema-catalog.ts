import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { Ajv2020, type ErrorObject, type ValidateFunction } from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';
import { isStorableDate, isStorableDateTime } from './storable-content.js';
import { projectRoot } from '../config/project-root.js';
import type { FieldError } from './generated-types.js';

/**
 * All JSON Schemas in schemas/, compiled once into one ajv instance. Schemas are the single source
 * of truth: TypeScript types are generated from them and every validation in the hub uses them.
 */
export interface SchemaCatalog {
  /** Every schema by $id. */
  readonly schemas: ReadonlyMap<string, SchemaDocument>;
  validator(id: string): ValidateFunction;
  /** Validates `value` and returns every error, each with a JSON pointer prefixed by `pointerPrefix`. */
  check(id: string, value: unknown, pointerPrefix?: string): FieldError[];
}

export interface SchemaDocument {
  $id: string;
  title?: string;
  'x-tracehub'?: { direction?: 'inbound' | 'outbound' | 'both'; businessKeys?: Record<string, string> };
  [key: string]: unknown;
}

function listSchemaFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((e) => e.isFile() && e.name.endsWith('.schema.json'))
    .map((e) => join(e.parentPath, e.name))
    .sort();
}

export function loadSchemaCatalog(schemaDir: string = join(projectRoot(), 'schemas'), extra: readonly SchemaDocument[] = []): SchemaCatalog {
  // strictRequired off: if/then blocks legitimately require properties defined beside them.
  const ajv = new Ajv2020({ allErrors: true, strict: true, strictRequired: false, useDefaults: true });
  addFormats.default(ajv);
  // A date the schemas accept must be one the database takes, or one message's value would fail
  // the statement that writes its whole batch.
  ajv.addFormat('date', { type: 'string', validate: isStorableDate });
  ajv.addFormat('date-time', { type: 'string', validate: isStorableDateTime });
  ajv.addKeyword('x-tracehub');
  const schemas = new Map<string, SchemaDocument>();
  for (const file of listSchemaFiles(schemaDir)) {
    const doc = JSON.parse(readFileSync(file, 'utf8')) as SchemaDocument;
    if (typeof doc.$id !== 'string') throw new Error(`${file}: schema has no $id`);
    schemas.set(doc.$id, doc);
    ajv.addSchema(doc);
  }
  for (const doc of extra) {
    schemas.set(doc.$id, doc);
    ajv.addSchema(doc);
  }
  const compiled = new Map<string, ValidateFunction>();
  const validator = (id: string): ValidateFunction => {
    let fn = compiled.get(id);
    if (!fn) {
      const got = ajv.getSchema(id);
      if (!got) throw new Error(`no schema with $id ${id}`);
      fn = got;
      compiled.set(id, fn);
    }
    return fn;
  };
  // Compile everything now: a schema ajv cannot compile must stop the start, not fail a request.
  for (const id of schemas.keys()) validator(id);
  return {
    schemas,
    validator,
    check(id, value, pointerPrefix = '') {
      const fn = validator(id);
      return fn(value) ? [] : toFieldErrors(fn.errors ?? [], pointerPrefix);
    },
  };
}

/** ajv errors as the hub reports them: a JSON pointer to the field, a stable code and a sentence. */
/** RFC 6901: a property name inside a JSON pointer escapes "~" and "/". */
function pointerToken(name: unknown): string {
  return String(name).replace(/~/g, '~0').replace(/\//g, '~1');
}

export function toFieldErrors(errors: readonly ErrorObject[], pointerPrefix = ''): FieldError[] {
  // An if/then failure is reported twice: the missing field itself, and "must match then" on the
  // object around it. The first says everything.
  return errors.filter((e) => e.keyword !== 'if').map((e) => {
    let pointer = pointerPrefix + e.instancePath;
    let message = e.message ?? 'is invalid';
    const params = e.params as Record<string, unknown>;
    if (e.keyword === 'required') {
      pointer += `/${pointerToken(params.missingProperty)}`;
      message = 'is required';
    } else if (e.keyword === 'additionalProperties') {
      pointer += `/${pointerToken(params.additionalProperty)}`;
      message = 'is not an allowed property';
    } else if (e.keyword === 'enum') {
      message = `must be one of: ${(params.allowedValues as unknown[]).join(', ')}`;
    }
    return { pointer: pointer || '/', code: `schema.${e.keyword}`, message };
  });
}
