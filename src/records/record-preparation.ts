import { createHash } from 'node:crypto';
import type { RecordStatus } from '../db/database-types.js';
import type { FirearmDescription, Party, RecordUpsert } from '../messages/generated-types.js';
import type { ReferenceCatalogue, Resolution } from '../reference/reference-catalogue.js';
import { indexKeys } from '../serials/serial-index-keys.js';
import { serialKeys, type SerialKeys } from '../serials/serial-keys.js';

/**
 * Turns a record as a country sent it into the row the hub stores: the text as received next to
 * the reference ids it maps to, the serial's derived keys, the restrictions with their defaults
 * and a hash of the content (so a resend of the same data is recognised and changes nothing).
 * Pure: no I/O, so bulk loads prepare thousands of records between two database round trips.
 */
export interface PreparedRecord {
  ownerCountry: string;
  ownerAgency: string;
  ownerReference: string;
  status: RecordStatus;
  serial: string;
  serialKey: string;
  matchKeys: string[];
  makeText: string;
  makeId: string | null;
  model: string | null;
  calibreText: string;
  calibreId: string | null;
  typeText: string;
  typeId: string | null;
  ncicTyp: string | null;
  countryOfManufacture: string | null;
  eventDate: string;
  eventCountry: string | null;
  caseNumber: string;
  firearm: FirearmDescription;
  event: RecordUpsert['event'];
  visibility: 'all' | 'allow' | 'deny';
  visibilityCountries: string[];
  confidentiality: string;
  /** Explicit review date, or null for the owner's default period from entry. */
  reviewDate: string | null;
  contentHash: Buffer;
  /** Values that map to no reference entry, for admins to map. */
  unmapped: { kind: 'make' | 'calibre' | 'type'; value: string }[];
}

/**
 * Key prefixes in `records.match_keys`, so keys of kinds that must not meet never collide. The
 * look-alike key and its deletions share one namespace: a query looks each of its own up under
 * both kinds anyway (the four meetings in serials/serial-index-keys.ts), so one namespace finds
 * exactly the same records with half the keys per lookup (about n + 1 instead of 2n + 2 index
 * probes for a serial of n characters).
 */
export const MATCH_KEY_PREFIX = {
  exact: 'x:',
  normalised: 'n:',
  'alpha-stripped': 'a:',
  lookalike: 'f:',
  deletion: 'f:',
  'no-prefix': 'p:',
  part: 'n:',
} as const;

/** The serial compared first: the frame's or receiver's number when given (NCIC), else the first. */
export function primarySerial(firearm: FirearmDescription): string {
  const framed = firearm.serials.find((s) => s.location === 'frame' || s.location === 'receiver');
  return (framed ?? firearm.serials[0]!).value;
}

export function matchKeysOf(firearm: FirearmDescription): string[] {
  return matchKeysFrom(firearm.serials.map((s) => serialKeys(s.value)));
}

function matchKeysFrom(keysPerSerial: readonly SerialKeys[]): string[] {
  const keys = new Set<string>();
  for (const k of keysPerSerial) {
    for (const c of indexKeys(k)) keys.add(`${MATCH_KEY_PREFIX[c.kind]}${c.key}`);
  }
  return [...keys];
}

function idOf(r: Resolution): string | null {
  return r.status === 'mapped' ? r.id : null;
}

/**
 * JSON with sorted keys, so equal content always hashes the same. Loops rather than
 * map/filter/join: a bulk load hashes every record, and this was the largest single cost of
 * preparing one. An `undefined` property is left out and an `undefined` array element is written
 * as nothing, as JSON.stringify-based joining did.
 */
function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value) ?? '';
  if (Array.isArray(value)) {
    let out = '[';
    for (let i = 0; i < value.length; i++) {
      if (i > 0) out += ',';
      out += canonicalJson(value[i]);
    }
    return `${out}]`;
  }
  const record = value as Record<string, unknown>;
  const keys = Object.keys(record).sort();
  let out = '{';
  let first = true;
  for (const key of keys) {
    const v = record[key];
    if (v === undefined) continue;
    if (!first) out += ',';
    first = false;
    out += `${JSON.stringify(key)}:${canonicalJson(v)}`;
  }
  return `${out}}`;
}

/**
 * Resolutions already made, per catalogue: a registry's load repeats a few hundred makes,
 * calibres and types across hundreds of thousands of records, and resolving one normalises its
 * text with a dozen regular expressions. A catalogue never changes once loaded, so a resolution
 * stays right; each map is emptied when it grows large, which bounds memory for odd inputs.
 */
interface ResolutionMemo {
  make: Map<string, Resolution>;
  calibre: Map<string, Resolution>;
  type: Map<string, Resolution>;
}
const MEMO_LIMIT = 20_000;
const memos = new WeakMap<ReferenceCatalogue, ResolutionMemo>();

function remembered(map: Map<string, Resolution>, text: string, reference: ReferenceCatalogue, resolve: 'resolveMake' | 'resolveCalibre' | 'resolveType'): Resolution {
  let r = map.get(text);
  if (r === undefined) {
    r = reference[resolve](text);
    if (map.size >= MEMO_LIMIT) map.clear();
    map.set(text, r);
  }
  return r;
}

function memoOf(reference: ReferenceCatalogue): ResolutionMemo {
  let memo = memos.get(reference);
  if (!memo) memos.set(reference, (memo = { make: new Map(), calibre: new Map(), type: new Map() }));
  return memo;
}

export function prepareRecord(payload: RecordUpsert, owner: Party, reference: ReferenceCatalogue): PreparedRecord {
  const { firearm, event } = payload;
  const memo = memoOf(reference);
  const make = remembered(memo.make, firearm.make, reference, 'resolveMake');
  const calibre = remembered(memo.calibre, firearm.calibre, reference, 'resolveCalibre');
  const type = remembered(memo.type, firearm.type, reference, 'resolveType');
  const typeId = idOf(type);
  const serial = primarySerial(firearm);
  // Keys once per serial: the primary one's normalised key is among them.
  const keysPerSerial = firearm.serials.map((s) => serialKeys(s.value));
  const primary = keysPerSerial[firearm.serials.findIndex((s) => s.value === serial)]!;
  const restrictions = payload.restrictions ?? { visibility: 'all' as const };
  const unmapped: PreparedRecord['unmapped'] = [];
  if (make.status !== 'mapped') unmapped.push({ kind: 'make', value: firearm.make });
  if (calibre.status !== 'mapped') unmapped.push({ kind: 'calibre', value: firearm.calibre });
  if (type.status !== 'mapped') unmapped.push({ kind: 'type', value: firearm.type });
  return {
    ownerCountry: owner.country,
    ownerAgency: owner.agency,
    ownerReference: payload.ownerReference,
    status: payload.status,
    serial,
    serialKey: primary.normalised,
    matchKeys: matchKeysFrom(keysPerSerial),
    makeText: firearm.make,
    makeId: idOf(make),
    model: firearm.model ?? null,
    calibreText: firearm.calibre,
    calibreId: idOf(calibre),
    typeText: firearm.type,
    typeId,
    ncicTyp: typeId ? (reference.type(typeId)?.ncicTyp ?? null) : null,
    countryOfManufacture: firearm.countryOfManufacture ?? null,
    eventDate: event.date,
    eventCountry: event.place?.country ?? null,
    caseNumber: event.caseNumber,
    firearm,
    event,
    visibility: restrictions.visibility,
    visibilityCountries: restrictions.visibility === 'all' ? [] : [...(restrictions.countries ?? [])].sort(),
    confidentiality: restrictions.confidentiality ?? 'official-use',
    reviewDate: payload.reviewDate ?? null,
    contentHash: createHash('sha256')
      .update(canonicalJson({ status: payload.status, firearm, event, restrictions, reviewDate: payload.reviewDate }))
      .digest(),
    unmapped,
  };
}
