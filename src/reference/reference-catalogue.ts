import { join, relative } from 'node:path';
import { ConfigError } from '../config/config-error.js';
import { readJsonConfig } from '../config/load-config.js';
import { projectRoot } from '../config/project-root.js';
import type {
  ReferenceAction,
  ReferenceCalibre,
  ReferenceCalibres,
  ReferenceFirearmType,
  ReferenceManufacturer,
  ReferenceManufacturers,
  ReferenceTypes,
} from '../messages/generated-types.js';
import { loadSchemaCatalog, type SchemaCatalog } from '../messages/schema-catalog.js';
import { normaliseCalibreText, normaliseMakeText, normaliseTypeText } from './reference-text.js';
import { memoiseResolution } from './resolution-memo.js';

/**
 * The firearms reference table (in the spirit of INTERPOL's Firearms Reference Table): makers,
 * calibres, types and actions, each with the spellings seen in the wild. Incoming free text is
 * mapped to a reference id; matching compares ids, never raw text. Text that names several entries
 * ('9mm', 'Glock', 'gas pistol') resolves as ambiguous with its candidates, never to one of them;
 * text that names nothing is unmapped and kept for an administrator to map by adding an alias to
 * the data files (a data change, not a code change).
 */

export type Manufacturer = ReferenceManufacturer;
export type Calibre = ReferenceCalibre;
export type FirearmType = ReferenceFirearmType;
export type FirearmAction = ReferenceAction;

export type Resolution =
  | { input: string; status: 'mapped'; id: string; via: 'name' | 'alias' | 'code' }
  | { input: string; status: 'ambiguous'; candidates: string[] }
  | { input: string; status: 'unmapped' };

export type CalibreComparison = 'same' | 'related' | 'distinct';

export interface ReferenceCatalogue {
  manufacturer(id: string): Manufacturer | undefined;
  calibre(id: string): Calibre | undefined;
  type(id: string): FirearmType | undefined;
  /** Every firearm type, in the catalogue's order. */
  types(): readonly FirearmType[];
  action(id: string): FirearmAction | undefined;
  /** A maker's name, alias or NCIC make code (case-insensitive) to its id. */
  resolveMake(text: string): Resolution;
  /** A calibre or gauge designation to its id. */
  resolveCalibre(text: string): Resolution;
  /** A type's name or alias, or an NCIC TYP code (PI, RB...; a category letter for a generic type), to its id. */
  resolveType(textOrNcicTyp: string): Resolution;
  /** An action's name, alias or NCIC characteristic code to its id. */
  resolveAction(textOrCode: string): Resolution;
  /**
   * Compares two calibre ids: 'same' (one id), 'related' (relatedTo, either direction: 5.56x45mm
   * NATO and .223 Remington) or 'distinct' (any other pair, including distinctFrom near-names).
   * Throws on an id that is not in the catalogue.
   */
  compareCalibres(a: string, b: string): CalibreComparison;
  counts(): { manufacturers: number; calibres: number; types: number; actions: number };
}

export const REFERENCE_SCHEMAS = {
  manufacturers: 'urn:tracehub:schema:config:reference-manufacturers',
  calibres: 'urn:tracehub:schema:config:reference-calibres',
  types: 'urn:tracehub:schema:config:reference-types',
} as const;

export const REFERENCE_FILES = {
  manufacturers: 'manufacturers.json',
  calibres: 'calibres.json',
  types: 'firearm-types.json',
} as const;

/** config/reference under the project root. */
export function defaultReferenceDir(): string {
  return join(projectRoot(), 'config', 'reference');
}

type Via = 'name' | 'alias' | 'code';
type Problem = { pointer: string; message: string };

/** Where a lookup key came from, to resolve it and to name both sides of a clash. */
interface Source {
  id: string;
  via: Via;
  pointer: string;
  text: string;
}

/** RFC 6901: a property name inside a JSON pointer escapes "~" and "/". */
function pointerToken(name: string): string {
  return name.replace(/~/g, '~0').replace(/\//g, '~1');
}

/**
 * O(1) lookup for one kind of entry. `exact` keys (normalised names and aliases, legal forms kept
 * for makes) must name one id each, or the file is refused. `loose` keys (makes with legal forms
 * dropped) may name several ids: "Glock" is both Glock GmbH and Glock, Inc., so it is ambiguous.
 */
class LookupIndex {
  private readonly exact = new Map<string, Source>();
  private readonly loose = new Map<string, Map<string, Source>>();
  private readonly codes = new Map<string, Source>();
  private readonly ambiguous = new Map<string, { candidates: string[]; pointer: string }>();

  constructor(
    private readonly noun: string,
    private readonly exactKey: (text: string) => string,
    private readonly looseKey: ((text: string) => string) | undefined,
    private readonly problems: Problem[],
  ) {}

  addText(source: Source): void {
    const key = this.exactKey(source.text);
    if (!key) {
      this.problems.push({ pointer: source.pointer, message: `"${source.text}" has no letters or digits to match on` });
      return;
    }
    const seen = this.exact.get(key);
    if (seen && seen.id !== source.id) {
      this.problems.push({
        pointer: source.pointer,
        message:
          `"${source.text}" (normalised "${key}") maps to "${source.id}" but ${seen.via} "${seen.text}" at ${seen.pointer} ` +
          `maps it to "${seen.id}"; one text must name one ${this.noun}`,
      });
      return;
    }
    if (!seen) this.exact.set(key, source);
    if (this.looseKey) {
      const loose = this.looseKey(source.text);
      if (!loose) return;
      let ids = this.loose.get(loose);
      if (!ids) this.loose.set(loose, (ids = new Map()));
      if (!ids.has(source.id)) ids.set(source.id, source);
    }
  }

  /** Codes match the input as typed, trimmed and upper-cased (NCIC codes are upper case). */
  addCode(source: Source): void {
    const code = source.text.trim().toUpperCase();
    const seen = this.codes.get(code);
    if (seen && seen.id !== source.id) {
      this.problems.push({
        pointer: source.pointer,
        message: `code "${code}" is also the code of "${seen.id}" at ${seen.pointer}; one code must name one ${this.noun}`,
      });
      return;
    }
    this.codes.set(code, source);
  }

  addAmbiguous(designation: string, candidates: string[], pointer: string): void {
    const key = this.exactKey(designation);
    if (!key) {
      this.problems.push({ pointer, message: `"${designation}" has no letters or digits to match on` });
      return;
    }
    const seen = this.ambiguous.get(key);
    if (seen) {
      this.problems.push({ pointer, message: `normalises to "${key}", the same as ${seen.pointer}; list the candidates once` });
      return;
    }
    this.ambiguous.set(key, { candidates: [...candidates].sort(), pointer });
  }

  /**
   * After everything is added: an alias or code must never equal an ambiguous designation, and a
   * text that names one maker exactly must not also name another once legal forms are ignored
   * (else "Bersa" and "Bersa Corp." could resolve differently).
   */
  checkConsistency(): void {
    for (const [key, ids] of this.loose) {
      const exact = this.exact.get(key);
      if (!exact) continue;
      for (const other of ids.values()) {
        if (other.id === exact.id) continue;
        this.problems.push({
          pointer: exact.pointer,
          message:
            `"${exact.text}" names "${exact.id}", but "${other.text}" at ${other.pointer} also reads "${key}" once legal forms ` +
            `are ignored and names "${other.id}"; list "${key}" under ambiguous instead`,
        });
      }
    }
    for (const [key, { pointer }] of this.ambiguous) {
      const text = this.exact.get(key);
      if (text) {
        this.problems.push({
          pointer: text.pointer,
          message:
            `"${text.text}" (normalised "${key}") is the ambiguous designation at ${pointer}, which names several ` +
            `${this.noun}s; it cannot be ${text.via === 'alias' ? 'an alias' : `the ${text.via}`} of "${text.id}" alone`,
        });
      }
    }
    for (const source of this.codes.values()) {
      const key = this.exactKey(source.text);
      const text = this.exact.get(key);
      if (text && text.id !== source.id) {
        this.problems.push({
          pointer: text.pointer,
          message: `"${text.text}" maps to "${text.id}" but the same text is the code of "${source.id}" at ${source.pointer}`,
        });
      }
      if (this.ambiguous.has(key)) {
        this.problems.push({ pointer: source.pointer, message: `code "${source.text}" is also an ambiguous designation` });
      }
    }
  }

  resolve(input: string): Resolution {
    const trimmed = input.trim();
    if (!trimmed) return { input, status: 'unmapped' };
    const code = this.codes.get(trimmed.toUpperCase());
    if (code) return { input, status: 'mapped', id: code.id, via: 'code' };
    const key = this.exactKey(trimmed);
    const exact = this.exact.get(key);
    if (exact) return { input, status: 'mapped', id: exact.id, via: exact.via };
    const ambiguous = this.ambiguous.get(key);
    if (ambiguous) return { input, status: 'ambiguous', candidates: [...ambiguous.candidates] };
    if (this.looseKey) {
      const loose = this.looseKey(trimmed);
      const designated = this.ambiguous.get(loose);
      if (designated) return { input, status: 'ambiguous', candidates: [...designated.candidates] };
      const ids = this.loose.get(loose);
      if (ids?.size === 1) {
        const [only] = ids.values();
        return { input, status: 'mapped', id: only!.id, via: only!.via };
      }
      if (ids && ids.size > 1) return { input, status: 'ambiguous', candidates: [...ids.keys()].sort() };
    }
    return { input, status: 'unmapped' };
  }
}

/** Reads one reference file and validates it against its schema; returns it with its display name. */
function readReferenceFile<T>(dir: string, name: string, schemaId: string, catalog: SchemaCatalog): { doc: T; shown: string } {
  const file = join(dir, name);
  const shown = relative(process.cwd(), file) || file;
  const doc = readJsonConfig(file, shown);
  const errors = catalog.check(schemaId, doc);
  if (errors.length) throw new ConfigError(shown, errors.map((e) => ({ pointer: e.pointer ?? '', message: e.message })));
  return { doc: doc as T, shown };
}

function throwIfAny(shown: string, problems: Problem[]): void {
  if (problems.length) throw new ConfigError(shown, problems);
}

/** Indexes entries by id, reporting a repeated id. */
function byId<T extends { id: string }>(entries: readonly T[], path: string, problems: Problem[]): Map<string, T> {
  const map = new Map<string, T>();
  entries.forEach((entry, i) => {
    if (map.has(entry.id)) problems.push({ pointer: `${path}/${i}/id`, message: `"${entry.id}" is already the id of an earlier entry` });
    else map.set(entry.id, entry);
  });
  return map;
}

function addAmbiguousMap(
  index: LookupIndex,
  map: Record<string, string[] | undefined> | undefined,
  ids: ReadonlyMap<string, unknown>,
  noun: string,
  problems: Problem[],
): void {
  for (const [designation, candidates = []] of Object.entries(map ?? {})) {
    const pointer = `/ambiguous/${pointerToken(designation)}`;
    candidates.forEach((id, i) => {
      if (!ids.has(id)) problems.push({ pointer: `${pointer}/${i}`, message: `"${id}" is not the id of any ${noun}` });
    });
    index.addAmbiguous(designation, candidates, pointer);
  }
}

function loadManufacturers(dir: string, catalog: SchemaCatalog) {
  const { doc, shown } = readReferenceFile<ReferenceManufacturers>(dir, REFERENCE_FILES.manufacturers, REFERENCE_SCHEMAS.manufacturers, catalog);
  const problems: Problem[] = [];
  const ids = byId(doc.manufacturers, '/manufacturers', problems);
  const index = new LookupIndex('manufacturer', (t) => normaliseMakeText(t, { keepLegalForm: true }), (t) => normaliseMakeText(t), problems);
  doc.manufacturers.forEach((m, i) => {
    const at = `/manufacturers/${i}`;
    index.addText({ id: m.id, via: 'name', pointer: `${at}/name`, text: m.name });
    m.aliases.forEach((alias, j) => index.addText({ id: m.id, via: 'alias', pointer: `${at}/aliases/${j}`, text: alias }));
    if (m.ncicCode) index.addCode({ id: m.id, via: 'code', pointer: `${at}/ncicCode`, text: m.ncicCode });
    if (m.parent !== undefined && (m.parent === m.id || !ids.has(m.parent))) {
      problems.push({ pointer: `${at}/parent`, message: `"${m.parent}" is not the id of another manufacturer` });
    }
  });
  addAmbiguousMap(index, doc.ambiguous, ids, 'manufacturer', problems);
  index.checkConsistency();
  throwIfAny(shown, problems);
  return { ids, index };
}

function loadCalibres(dir: string, catalog: SchemaCatalog) {
  const { doc, shown } = readReferenceFile<ReferenceCalibres>(dir, REFERENCE_FILES.calibres, REFERENCE_SCHEMAS.calibres, catalog);
  const problems: Problem[] = [];
  const ids = byId(doc.calibres, '/calibres', problems);
  const index = new LookupIndex('calibre', normaliseCalibreText, undefined, problems);
  const related = new Map<string, Set<string>>();
  const relate = (a: string, b: string) => {
    let set = related.get(a);
    if (!set) related.set(a, (set = new Set()));
    set.add(b);
  };
  doc.calibres.forEach((c, i) => {
    const at = `/calibres/${i}`;
    index.addText({ id: c.id, via: 'name', pointer: `${at}/name`, text: c.name });
    c.aliases.forEach((alias, j) => index.addText({ id: c.id, via: 'alias', pointer: `${at}/aliases/${j}`, text: alias }));
    for (const field of ['distinctFrom', 'relatedTo'] as const) {
      (c[field] ?? []).forEach((other, j) => {
        if (other === c.id || !ids.has(other)) {
          problems.push({ pointer: `${at}/${field}/${j}`, message: `"${other}" is not the id of another calibre` });
        } else if (field === 'relatedTo') {
          relate(c.id, other);
          relate(other, c.id);
        }
      });
    }
  });
  // distinctFrom and relatedTo exclude each other, whichever entry states them.
  doc.calibres.forEach((c, i) => {
    (c.distinctFrom ?? []).forEach((other, j) => {
      if (related.get(c.id)?.has(other)) {
        problems.push({ pointer: `/calibres/${i}/distinctFrom/${j}`, message: `"${other}" is also listed as related to "${c.id}"; a pair is either related or distinct` });
      }
    });
  });
  addAmbiguousMap(index, doc.ambiguous, ids, 'calibre', problems);
  index.checkConsistency();
  throwIfAny(shown, problems);
  return { ids, index, related };
}

function loadTypes(dir: string, catalog: SchemaCatalog) {
  const { doc, shown } = readReferenceFile<ReferenceTypes>(dir, REFERENCE_FILES.types, REFERENCE_SCHEMAS.types, catalog);
  const problems: Problem[] = [];
  const codeSet = (list: ReferenceTypes['categories'], path: string) => {
    const set = new Set<string>();
    list.forEach((c, i) => {
      if (set.has(c.code)) problems.push({ pointer: `${path}/${i}/code`, message: `"${c.code}" is listed twice` });
      set.add(c.code);
    });
    return set;
  };
  const categories = codeSet(doc.categories, '/categories');
  const characteristics = codeSet(doc.characteristics, '/characteristics');

  const actionIds = byId(doc.actions, '/actions', problems);
  const actionIndex = new LookupIndex('action', normaliseTypeText, undefined, problems);
  doc.actions.forEach((a, i) => {
    const at = `/actions/${i}`;
    actionIndex.addText({ id: a.id, via: 'name', pointer: `${at}/name`, text: a.name });
    a.aliases.forEach((alias, j) => actionIndex.addText({ id: a.id, via: 'alias', pointer: `${at}/aliases/${j}`, text: alias }));
    if (a.ncicCharacteristic !== undefined) {
      if (!characteristics.has(a.ncicCharacteristic)) {
        problems.push({ pointer: `${at}/ncicCharacteristic`, message: `"${a.ncicCharacteristic}" is not in /characteristics` });
      } else {
        actionIndex.addCode({ id: a.id, via: 'code', pointer: `${at}/ncicCharacteristic`, text: a.ncicCharacteristic });
      }
    }
  });

  const ids = byId(doc.types, '/types', problems);
  const index = new LookupIndex('type', normaliseTypeText, undefined, problems);
  doc.types.forEach((t, i) => {
    const at = `/types/${i}`;
    index.addText({ id: t.id, via: 'name', pointer: `${at}/name`, text: t.name });
    t.aliases.forEach((alias, j) => index.addText({ id: t.id, via: 'alias', pointer: `${at}/aliases/${j}`, text: alias }));
    if (!categories.has(t.ncicCategory)) problems.push({ pointer: `${at}/ncicCategory`, message: `"${t.ncicCategory}" is not in /categories` });
    if (t.ncicTyp !== undefined) {
      const [category, characteristic] = [t.ncicTyp[0]!, t.ncicTyp[1]!];
      if (category !== t.ncicCategory) {
        problems.push({ pointer: `${at}/ncicTyp`, message: `"${t.ncicTyp}" does not start with the category "${t.ncicCategory}"` });
      } else if (!characteristics.has(characteristic)) {
        problems.push({ pointer: `${at}/ncicTyp`, message: `"${characteristic}" (second character of "${t.ncicTyp}") is not in /characteristics` });
      } else {
        index.addCode({ id: t.id, via: 'code', pointer: `${at}/ncicTyp`, text: t.ncicTyp });
      }
    } else if (categories.has(t.ncicCategory)) {
      // A generic type (action not stated) is what the bare category letter means.
      index.addCode({ id: t.id, via: 'code', pointer: `${at}/ncicCategory`, text: t.ncicCategory });
    }
    if (t.action !== undefined && !actionIds.has(t.action)) {
      problems.push({ pointer: `${at}/action`, message: `"${t.action}" is not the id of any action` });
    }
  });
  addAmbiguousMap(index, doc.ambiguous, ids, 'type', problems);
  index.checkConsistency();
  actionIndex.checkConsistency();
  throwIfAny(shown, problems);
  return { ids, index, actionIds, actionIndex };
}

/**
 * Loads and checks config/reference/{manufacturers,calibres,firearm-types}.json. Each file is
 * validated against its schema, then: ids are unique; a name, alias or code names one entry only;
 * no alias equals an ambiguous designation; every id named by parent, distinctFrom, relatedTo,
 * ambiguous candidates or a type's action exists; NCIC TYP codes are built from the listed
 * category and characteristic codes. Any fault is a ConfigError naming the file, the JSON pointer
 * and the problem. Lookup maps are built once, so every resolve is a few map reads.
 */
export function loadReferenceCatalogue(dir: string = defaultReferenceDir(), catalog: SchemaCatalog = loadSchemaCatalog()): ReferenceCatalogue {
  const makes = loadManufacturers(dir, catalog);
  const calibres = loadCalibres(dir, catalog);
  const types = loadTypes(dir, catalog);

  const calibreOf = (id: string): Calibre => {
    const c = calibres.ids.get(id);
    if (!c) throw new RangeError(`"${id}" is not a calibre id in the reference catalogue`);
    return c;
  };

  return {
    manufacturer: (id) => makes.ids.get(id),
    calibre: (id) => calibres.ids.get(id),
    type: (id) => types.ids.get(id),
    types: () => [...types.ids.values()],
    action: (id) => types.actionIds.get(id),
    resolveMake: memoiseResolution((text) => makes.index.resolve(text)),
    resolveCalibre: memoiseResolution((text) => calibres.index.resolve(text)),
    resolveType: memoiseResolution((text) => types.index.resolve(text)),
    resolveAction: memoiseResolution((text) => types.actionIndex.resolve(text)),
    compareCalibres(a, b) {
      calibreOf(a);
      calibreOf(b);
      if (a === b) return 'same';
      return calibres.related.get(a)?.has(b) ? 'related' : 'distinct';
    },
    counts: () => ({
      manufacturers: makes.ids.size,
      calibres: calibres.ids.size,
      types: types.ids.size,
      actions: types.actionIds.size,
    }),
  };
}
