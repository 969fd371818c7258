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
  /**
   * Validates `value` and returns its errors, each with a JSON pointer prefixed by
   * `pointerPrefix`: every one, up to MAX_LISTED_ERRORS (the last entry then counts the rest), or
   * only the first for a value too large to list them all (see FULL_REPORT_MAX_VALUES).
   */
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

/** At most this many errors are listed for one message; a last entry counts the rest. */
export const MAX_LISTED_ERRORS = 100;
/**
 * Beyond this many values an invalid message is reported by its first error only. ajv gathers the
 * errors of referenced schemas by concatenating arrays, in time that grows with the square of
 * their number: 60,000 bad items in a 480 kB body took 18 s of the event loop and gave 12 MB of errors.
 */
export const FULL_REPORT_MAX_VALUES = 5_000;

/** How many values `value` holds, counting stops past `limit`. */
function countValues(value: unknown, limit: number): number {
  let n = 0;
  const stack: unknown[] = [value];
  while (stack.length && n <= limit) {
    const v = stack.pop();
    n++;
    if (v === null || typeof v !== 'object') continue;
    // One at a time: spreading an array of half a million items into push() would overflow the stack.
    for (const item of Array.isArray(v) ? v : Object.values(v)) {
      if (n + stack.length > limit) break;
      stack.push(item);
    }
  }
  return n;
}

function compileAll(files: readonly SchemaDocument[], allErrors: boolean): Ajv2020 {
  // strictRequired off: if/then blocks legitimately require properties defined beside them.
  const ajv = new Ajv2020({ allErrors, strict: true, strictRequired: false, useDefaults: true });
  addFormats.default(ajv);
  // A date the schemas accept must be one the database takes, or one message's value would fail
  // the statement that writes its whole batch.
  ajv.addFormat('date', { type: 'string', validate: isStorableDate });
  ajv.addFormat('date-time', { type: 'string', validate: isStorableDateTime });
  ajv.addKeyword('x-tracehub');
  for (const doc of files) ajv.addSchema(doc);
  return ajv;
}

export function loadSchemaCatalog(schemaDir: string = join(projectRoot(), 'schemas'), extra: readonly SchemaDocument[] = []): SchemaCatalog {
  const schemas = new Map<string, SchemaDocument>();
  for (const file of listSchemaFiles(schemaDir)) {
    const doc = JSON.parse(readFileSync(file, 'utf8')) as SchemaDocument;
    if (typeof doc.$id !== 'string') throw new Error(`${file}: schema has no $id`);
    schemas.set(doc.$id, doc);
  }
  for (const doc of extra) schemas.set(doc.$id, doc);
  // Two compilations: one that stops at the first error, which is all a valid message needs and
  // all a very large invalid one gets, and one that gathers every error.
  const every = compileAll([...schemas.values()], true);
  const first = compileAll([...schemas.values()], false);
  const compiled = new Map<string, { every: ValidateFunction; first: ValidateFunction }>();
  const validators = (id: string) => {
    let fns = compiled.get(id);
    if (!fns) {
      const e = every.getSchema(id);
      const f = first.getSchema(id);
      if (!e || !f) throw new Error(`no schema with $id ${id}`);
      fns = { every: e, first: f };
      compiled.set(id, fns);
    }
    return fns;
  };
  // Compile everything now: a schema ajv cannot compile must stop the start, not fail a request.
  for (const id of schemas.keys()) validators(id);
  return {
    schemas,
    validator: (id) => validators(id).every,
    check(id, value, pointerPrefix = '') {
      const fns = validators(id);
      if (fns.first(value)) return [];
      const all = countValues(value, FULL_REPORT_MAX_VALUES) <= FULL_REPORT_MAX_VALUES;
      if (all) fns.every(value);
      const errors = toFieldErrors((all ? fns.every.errors : fns.first.errors) ?? [], pointerPrefix);
      if (errors.length === 0) errors.push({ pointer: pointerPrefix || '/', code: 'schema.invalid', message: 'is invalid' });
      if (!all) {
        errors.push({ pointer: pointerPrefix || '/', code: 'schema.errors-not-listed', message: `holds more than ${FULL_REPORT_MAX_VALUES} values, so only its first error is listed` });
      } else if (errors.length > MAX_LISTED_ERRORS) {
        const rest = errors.length - (MAX_LISTED_ERRORS - 1);
        errors.splice(MAX_LISTED_ERRORS - 1, rest, { pointer: pointerPrefix || '/', code: 'schema.errors-not-listed', message: `and ${rest} more errors, not listed` });
      }
      return errors;
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
