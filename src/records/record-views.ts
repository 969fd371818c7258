import type { RecordRow } from './record-store.js';

/** A record as the API shows it. Restrictions and review state are the owner's business only. */
export function recordView(r: RecordRow, viewerIsOwner: boolean) {
  return {
    id: r.id,
    ownerCountry: r.owner_country,
    ownerAgency: r.owner_agency,
    ownerReference: r.owner_reference,
    status: r.status,
    version: r.version,
    firearm: r.firearm,
    event: r.event,
    reference: { makeId: r.make_id, calibreId: r.calibre_id, typeId: r.type_id, ncicTyp: r.ncic_typ },
    confidentiality: r.confidentiality,
    ...(viewerIsOwner
      ? {
          restrictions: { visibility: r.visibility, countries: r.visibility_countries, confidentiality: r.confidentiality },
          reviewDate: r.review_date.toISOString().slice(0, 10),
          reviewOverdue: r.review_overdue,
        }
      : {}),
    createdAt: r.created_at.toISOString(),
    updatedAt: r.updated_at.toISOString(),
  };
}

export type RecordView = ReturnType<typeof recordView>;

/** Flat columns for CSV export. */
export const CSV_COLUMNS = [
  'id', 'ownerCountry', 'ownerReference', 'status', 'serial', 'make', 'makeId', 'model', 'calibre', 'calibreId', 'type', 'ncicTyp',
  'countryOfManufacture', 'eventDate', 'eventCountry', 'caseNumber', 'confidentiality', 'updatedAt',
] as const;

export function csvRow(r: RecordRow): string[] {
  return [
    r.id, r.owner_country, r.owner_reference, r.status, r.serial, r.make_text, r.make_id ?? '', r.model ?? '', r.calibre_text, r.calibre_id ?? '',
    r.type_text, r.ncic_typ ?? '', r.country_of_manufacture ?? '', r.event_date.toISOString().slice(0, 10), r.event_country ?? '', r.case_number,
    r.confidentiality, r.updated_at.toISOString(),
  ];
}

/** RFC 4180 field quoting; a leading = + - @ is prefixed so spreadsheets do not run it as a formula. */
export function csvField(value: string): string {
  const safe = /^[=+\-@\t\r]/.test(value) ? `'${value}` : value;
  return /[",\r\n]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
}
