/**
 * Rows in COPY text format (tab-separated, \\N for null), as the hub's own stores write them: the
 * ceilings of bench/bulk-records.ts and bench/amqp-ingest.ts COPY these into tables created LIKE
 * the hub's, so they measure the schema's cost with none of the hub's logic.
 */
import type { PreparedRecord } from '../../src/records/record-preparation.js';

export function copyEscape(s: string): string {
  return s.replace(/[\\\t\n\r]/g, (c) => (c === '\\' ? '\\\\' : c === '\t' ? '\\t' : c === '\n' ? '\\n' : '\\r'));
}

export function copyText(v: string | null | undefined): string {
  return v === null || v === undefined ? '\\N' : copyEscape(v);
}

export function pgArray(items: readonly string[]): string {
  return `{${items.map((s) => `"${s.replace(/["\\]/g, '\\$&')}"`).join(',')}}`;
}

export const RECORD_COLUMNS =
  'id, owner_country, owner_agency, owner_reference, status, version, serial, serial_key, match_keys, make_text, make_id, model, calibre_text, calibre_id, ' +
  'type_text, type_id, ncic_typ, country_of_manufacture, event_date, event_country, case_number, firearm, event, visibility, visibility_countries, ' +
  'confidentiality, review_date, content_hash, created_at, updated_at, last_ledger_id';
export const VERSION_COLUMNS = 'record_id, version, status, ledger_id, agency, at, change, snapshot';

/** One `records` row as the record store writes it on creation. */
export function recordLine(p: PreparedRecord, id: string, ledgerId: string, reviewDate: string, at: string): string {
  return [
    id, p.ownerCountry, p.ownerAgency, p.ownerReference, p.status, '1', p.serial, p.serialKey, pgArray(p.matchKeys), p.makeText, p.makeId, p.model,
    p.calibreText, p.calibreId, p.typeText, p.typeId, p.ncicTyp, p.countryOfManufacture, p.eventDate, p.eventCountry, p.caseNumber,
    JSON.stringify(p.firearm), JSON.stringify(p.event), p.visibility, pgArray(p.visibilityCountries), p.confidentiality, reviewDate,
    `\\x${p.contentHash.toString('hex')}`, at, at, ledgerId,
  ]
    .map(copyText)
    .join('\t');
}

export function versionLine(p: PreparedRecord, id: string, ledgerId: string, at: string): string {
  const snapshot = { status: p.status, firearm: p.firearm, event: p.event, restrictions: { visibility: p.visibility, countries: p.visibilityCountries, confidentiality: p.confidentiality } };
  return [id, '1', p.status, ledgerId, p.ownerAgency, at, 'create', JSON.stringify(snapshot)].map(copyText).join('\t');
}

export const DEDUP_COLUMNS = 'sender, message_id, sha256, ledger_id, retention_class, received_at';
export const LEDGER_COLUMNS =
  'id, retention_class, received_at, channel, format, content_type, sender_country, sender_agency, raw, sha256, size_bytes, ' +
  'message_id, type, correlation_id, sent_at, business_keys, lineage, envelope, status, updated_at';

export interface LedgerRowInput {
  id: string;
  channel: string;
  sender: { country: string; agency: string };
  raw: Buffer;
  sha256: Buffer;
  messageId: string;
  type: string;
  sentAt: string;
  businessKeys: readonly string[];
  /** Lineage events, oldest first. */
  events: readonly string[];
  at: string;
}

/** The idempotency key of a message (ledger_dedup). */
export function dedupLine(m: LedgerRowInput): string {
  return [`${m.sender.country}/${m.sender.agency}`, m.messageId, `\\x${m.sha256.toString('hex')}`, m.id, 'standard', m.at].map(copyText).join('\t');
}

/** A ledger_messages row of a message applied as it was stored. */
export function ledgerLine(m: LedgerRowInput): string {
  const lineage = JSON.stringify(m.events.map((event) => ({ at: m.at, stage: event === 'applied' ? 'apply' : 'intake', event })));
  return [
    m.id, 'standard', m.at, m.channel, 'canonical-json', 'application/json', m.sender.country, m.sender.agency, `\\x${m.raw.toString('hex')}`,
    `\\x${m.sha256.toString('hex')}`, String(m.raw.length), m.messageId, m.type, m.id, m.sentAt, pgArray(m.businessKeys), lineage,
    m.raw.toString('utf8'), 'applied', m.at,
  ]
    .map(copyText)
    .join('\t');
}
