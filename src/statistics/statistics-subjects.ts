import { sql, type RawBuilder } from 'kysely';
import type { Module } from '../identity/agency-access.js';
import type { ReferenceCatalogue } from '../reference/reference-catalogue.js';
import { unodcTypeClass } from './unodc-type-class.js';

/**
 * What each statistics subject counts and by what it can be broken down, as SQL over the hub's
 * own tables. A dimension is a text-valued expression (null where the data does not say); the
 * same name filters (`?make=glock&make=beretta`) and groups (`?groupBy=make`).
 *
 * The dimensions follow INTERPOL's and UNODC's tables: records by category (status), type, make,
 * calibre and country of manufacture; seized firearms by type class x country x year, by place,
 * direction and detection method, domestic or foreign made, traced or not (SDG 16.4.2); hits by
 * owner and seizing country.
 */
export const SUBJECTS = ['records', 'seizures', 'hits'] as const;
export type Subject = (typeof SUBJECTS)[number];

/** The access module whose read level a subject's figures need (hits belong with seizures). */
export const SUBJECT_MODULES: Record<Subject, Module> = { records: 'records', seizures: 'seizures', hits: 'seizures' };

export interface Measure {
  name: string;
  sql: RawBuilder<unknown>;
}

/**
 * Whose trace requests a table may count the outcomes of: any agency's of the country (an NCB, the
 * hub admin, figures across countries) or one agency's own, as the trace lists show them; null
 * when the viewer may not read trace requests at all.
 */
export type TraceViewer = { agency: string | null } | null;

export interface SubjectDefinition {
  /** FROM and JOINs, with the aliases the expressions use. */
  from: RawBuilder<unknown>;
  /** The day (UTC) a row falls on, for the period. */
  day: RawBuilder<unknown>;
  measures(traces: TraceViewer): readonly Measure[];
  /** The measure judged for small-cell suppression: the count of distinct cases. */
  basis: string;
  dimensions: Readonly<Record<string, RawBuilder<unknown>>>;
  /** The rows of one country: those it owns, reported or is a side of. */
  national(country: string): RawBuilder<boolean>;
  /** What is counted unless a filter says otherwise. */
  defaults?(filters: Readonly<Record<string, readonly string[]>>): RawBuilder<boolean> | undefined;
  notes: readonly string[];
}

const NOT_A_SAMPLE =
  'Counts are of what partner agencies reported to the hub: they are not a random sample of firearms crime, and countries report to different extents.';
const REFERENCE_IDS = 'make, calibre and type are ids of the hub\'s reference tables; null where the text as written names none of them, or several.';

/** The UNODC class of a reference type id, as a CASE over the catalogue's types. */
function typeClassOf(typeId: RawBuilder<unknown>, reference: ReferenceCatalogue): RawBuilder<unknown> {
  const branches = reference.types().map((t) => sql`when ${t.id} then ${unodcTypeClass(t)}`);
  return sql`(case ${typeId} ${sql.join(branches, sql` `)} else 'unknown' end)`;
}

const yearOf = (day: RawBuilder<unknown>) => sql`extract(year from ${day})::int::text`;
const monthOf = (day: RawBuilder<unknown>) => sql`to_char(${day}, 'YYYY-MM')`;

export function subjectDefinitions(reference: ReferenceCatalogue): Record<Subject, SubjectDefinition> {
  const recordDay = sql`r.event_date`;
  const seizureDay = sql`s.seized_on`;
  const hitDay = sql`(h.created_at at time zone 'UTC')::date`;
  const seizedMadeIn = sql`(i.firearm ->> 'countryOfManufacture')`;

  return {
    records: {
      from: sql`records r`,
      day: recordDay,
      measures: () => [{ name: 'records', sql: sql`count(*)` }],
      basis: 'records',
      dimensions: {
        ownerCountry: sql`r.owner_country`,
        status: sql`r.status`,
        typeClass: typeClassOf(sql`r.type_id`, reference),
        type: sql`r.type_id`,
        make: sql`r.make_id`,
        calibre: sql`r.calibre_id`,
        countryOfManufacture: sql`r.country_of_manufacture`,
        eventCountry: sql`r.event_country`,
        year: yearOf(recordDay),
        month: monthOf(recordDay),
      },
      national: (country) => sql<boolean>`r.owner_country = ${country}`,
      // A cancelled record was withdrawn by its owner (entered in error, duplicate): it counts
      // only when asked for by name.
      defaults: (filters) => (filters.status ? undefined : sql<boolean>`r.status <> 'CANCELLED'`),
      notes: [NOT_A_SAMPLE, REFERENCE_IDS, 'The period is of the event (theft, loss...) the record reports; cancelled records are left out unless status names them.'],
    },
    seizures: {
      from: sql`seizures s join seizure_items i on i.seizure_id = s.id`,
      day: seizureDay,
      measures: (traces) => [
        { name: 'firearms', sql: sql`count(*)` },
        { name: 'seizures', sql: sql`count(distinct s.id)` },
        { name: 'hits', sql: sql`count(*) filter (where exists (select 1 from hits h where h.seizure_item_id = i.id and h.status <> 'REJECTED'))` },
        // SDG 16.4.2's numerator: seized firearms whose illicit origin was traced, i.e. a trace
        // request the seizing country made for this seizure and serial was answered completely or
        // in part. Counted only for a viewer who may read those requests.
        ...(traces
          ? [
              {
                name: 'traced',
                sql: sql`count(*) filter (where exists (select 1 from trace_requests t
                  where t.requester_country = s.country and t.seizure_reference = s.seizure_reference
                    ${traces.agency === null ? sql`` : sql`and t.requester_agency = ${traces.agency}`}
                    and t.outcome in ('COMPLETED', 'PARTIAL') and i.serial_key = any(t.serial_keys)))`,
              },
            ]
          : []),
      ],
      basis: 'seizures',
      dimensions: {
        seizingCountry: sql`s.country`,
        placeType: sql`s.place_type`,
        direction: sql`s.direction`,
        detectionMethod: sql`(s.report ->> 'detectionMethod')`,
        typeClass: typeClassOf(sql`i.type_id`, reference),
        type: sql`i.type_id`,
        make: sql`i.make_id`,
        calibre: sql`i.calibre_id`,
        countryOfManufacture: seizedMadeIn,
        origin: sql`(case when ${seizedMadeIn} is null then 'unknown' when ${seizedMadeIn} = s.country then 'domestic' else 'foreign' end)`,
        hit: sql`(case when exists (select 1 from hits h where h.seizure_item_id = i.id and h.status <> 'REJECTED') then 'hit' else 'none' end)`,
        year: yearOf(seizureDay),
        month: monthOf(seizureDay),
      },
      national: (country) => sql<boolean>`s.country = ${country}`,
      notes: [
        NOT_A_SAMPLE,
        REFERENCE_IDS,
        'firearms counts seized firearms, seizures the seizure reports they came in; traced counts seized firearms for which the seizing country\'s trace request (same seizure reference and serial) was answered completely or in part, the numerator of SDG indicator 16.4.2; it is left out for an agency not approved to read trace requests, and counts an agency\'s own requests only.',
      ],
    },
    hits: {
      // The firearm is described as it was seized, never as its record: both sides of a hit are
      // told the seized firearm, while the record may be restricted from the seizing country.
      from: sql`hits h join seizure_items i on i.id = h.seizure_item_id`,
      day: hitDay,
      measures: () => [
        { name: 'hits', sql: sql`count(*)` },
        // The cases: a seizure with several candidate records is one.
        { name: 'seizures', sql: sql`count(distinct h.seizure_id)` },
      ],
      basis: 'seizures',
      dimensions: {
        ownerCountry: sql`h.record_owner_country`,
        seizingCountry: sql`h.seizing_country`,
        status: sql`h.status`,
        tier: sql`h.tier`,
        foundBy: sql`h.found_by`,
        typeClass: typeClassOf(sql`i.type_id`, reference),
        make: sql`i.make_id`,
        calibre: sql`i.calibre_id`,
        year: yearOf(hitDay),
        month: monthOf(hitDay),
      },
      national: (country) => sql<boolean>`(h.record_owner_country = ${country} or h.seizing_country = ${country})`,
      // A rejected hit was not the record's firearm: it counts only when asked for by status.
      defaults: (filters) => (filters.status ? undefined : sql<boolean>`h.status <> 'REJECTED'`),
      notes: [NOT_A_SAMPLE, REFERENCE_IDS, 'A country\'s own figures count the hits on its records and the hits of its seizures; make, calibre and type are the seized firearm\'s; the period is of the day the hit was found; rejected hits are left out unless status names them; seizures counts the seizure reports the hits came from.'],
    },
  };
}
