import { createHash } from 'node:crypto';
import type { RecordStatus } from '../db/database-types.js';
import type { FirearmDescription, Party, RecordUpsert } from '../messages/generated-types.js';
import type { ReferenceCatalogue, Resolution } from '../reference/reference-catalogue.js';
import { indexKeys } from '../serials/serial-index-keys.js';
import { serialKeys } from '../serials/serial-keys.js';

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

/** Key prefixes in `records.match_keys`, one per derivation, so keys of different kinds never collide. */
export const MATCH_KEY_PREFIX = {
  exact: 'x:',
  normalised: 'n:',
  'alpha-stripped': 'a:',
  lookalike: 'l:',
  deletion: 'd:',
  'no-prefix': 'p:',
  part: 'n:',
} as const;

/** The serial compared first: the frame's or receiver's number when given (NCIC), else the first. */
export function primarySerial(firearm: FirearmDescription): string {
  const framed = firearm.serials.find((s) => s.location === 'frame' || s.location === 'receiver');
  return (framed ?? firearm.serials[0]!).value;
}

export function matchKeysOf(firearm: FirearmDescription): string[] {
  const keys = new Set<string>();
  for (const s of firearm.serials) {
    for (const k of indexKeys(serialKeys(s.value))) keys.add(`${MATCH_KEY_PREFIX[k.kind]}${k.key}`);
  }
  return [...keys];
}

function idOf(r: Resolution): string | null {
  return r.status === 'mapped' ? r.id : null;
}

/** JSON with sorted keys, so equal content always hashes the same. */
function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value && typeof value === 'object') {
    return `{${Object.keys(value)
      .sort()
      .filter((k) => (value as Record<string, unknown>)[k] !== undefined)
      .map((k) => `${JSON.stringify(k)}:${canonicalJson((value as Record<string, unknown>)[k])}`)
      .join(',')}}`;
  }
  return JSON.stringify(value);
}

export function prepareRecord(payload: RecordUpsert, owner: Party, reference: ReferenceCatalogue): PreparedRecord {
  const { firearm, event } = payload;
  const make = reference.resolveMake(firearm.make);
  const calibre = reference.resolveCalibre(firearm.calibre);
  const type = reference.resolveType(firearm.type);
  const typeId = idOf(type);
  const serial = primarySerial(firearm);
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
    serialKey: serialKeys(serial).normalised,
    matchKeys: matchKeysOf(firearm),
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
