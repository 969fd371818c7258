import { sql, type Kysely } from 'kysely';
import type { Database } from '../db/database-types.js';
import type { PreparedRecord } from './record-preparation.js';

/**
 * The set-based write behind every upsert: all new versions of a batch, and the record rows they
 * leave behind, in one statement. The batch travels as one JSON document that PostgreSQL parses
 * once (jsonb_to_recordset) into a staging set; from it the final state of each record is
 * inserted or updated (INSERT ... ON CONFLICT) and every version is appended to record_versions,
 * its snapshot built from the same parsed values.
 *
 * Why one JSON parameter rather than one array per column: with ~30 columns, pg's array literals
 * are escaped field by field on the client and parsed field by field on the server, and arrays of
 * arrays (the match keys) had to travel as JSON anyway; a single document is serialised by V8 in
 * one pass and parsed by PostgreSQL in one pass. Why not COPY into a staging table: the writes
 * must join the apply transaction, and a COPY needs the raw connection that Kysely keeps private.
 */
export interface VersionRow {
  prepared: PreparedRecord;
  recordId: string;
  version: number;
  ledgerId: string | null;
  /** What changed: 'create', 'update' or 'status X -> Y'. */
  change: string;
  /** The record row's final state in this batch: the last version of its record. */
  final: boolean;
  /** Only for final rows: the review date to store. */
  reviewDate: string;
}

/** Column names of the staging set (short, so the JSON stays small). */
function stagingRow(v: VersionRow) {
  const p = v.prepared;
  return {
    id: v.recordId,
    ver: v.version,
    fin: v.final,
    oc: p.ownerCountry,
    oa: p.ownerAgency,
    oref: p.ownerReference,
    st: p.status,
    ser: p.serial,
    skey: p.serialKey,
    mk: p.matchKeys,
    mt: p.makeText,
    mid: p.makeId,
    model: p.model,
    ct: p.calibreText,
    cid: p.calibreId,
    tt: p.typeText,
    tid: p.typeId,
    typ: p.ncicTyp,
    com: p.countryOfManufacture,
    ed: p.eventDate,
    ec: p.eventCountry,
    cn: p.caseNumber,
    fa: p.firearm,
    ev: p.event,
    vis: p.visibility,
    vc: p.visibilityCountries,
    conf: p.confidentiality,
    rd: v.reviewDate,
    hash: p.contentHash.toString('hex'),
    lid: v.ledgerId,
    ch: v.change,
  };
}

/**
 * Writes `rows` (in order: a record's versions ascending) and the final row of each record.
 * Exactly one row per record must be `final`, and it must be that record's last version.
 */
export async function writeRecordVersions(db: Kysely<Database>, rows: readonly VersionRow[], now: Date): Promise<void> {
  if (rows.length === 0) return;
  const staging = JSON.stringify(rows.map(stagingRow));
  await sql`
    with staging as (
      select * from jsonb_to_recordset(${staging}::jsonb) as t(
        id uuid, ver integer, fin boolean, oc text, oa text, oref text, st text, ser text, skey text, mk text[], mt text, mid text,
        model text, ct text, cid text, tt text, tid text, typ text, com text, ed date, ec text, cn text, fa jsonb, ev jsonb, vis text,
        vc text[], conf text, rd date, hash text, lid uuid, ch text)
    ),
    written as (
      insert into records (id, owner_country, owner_agency, owner_reference, status, version, serial, serial_key, match_keys,
        make_text, make_id, model, calibre_text, calibre_id, type_text, type_id, ncic_typ, country_of_manufacture, event_date,
        event_country, case_number, firearm, event, visibility, visibility_countries, confidentiality, review_date, content_hash,
        last_ledger_id, created_at, updated_at)
      select id, oc, oa, oref, st, ver, ser, skey, mk, mt, mid, model, ct, cid, tt, tid, typ, com, ed,
        ec, cn, fa, ev, vis, vc, conf, rd, decode(hash, 'hex'), lid, ${now}, ${now}
      from staging where fin
      on conflict (owner_country, owner_reference) do update set
        owner_agency = excluded.owner_agency, status = excluded.status, version = excluded.version, serial = excluded.serial,
        serial_key = excluded.serial_key, match_keys = excluded.match_keys, make_text = excluded.make_text, make_id = excluded.make_id,
        model = excluded.model, calibre_text = excluded.calibre_text, calibre_id = excluded.calibre_id, type_text = excluded.type_text,
        type_id = excluded.type_id, ncic_typ = excluded.ncic_typ, country_of_manufacture = excluded.country_of_manufacture,
        event_date = excluded.event_date, event_country = excluded.event_country, case_number = excluded.case_number,
        firearm = excluded.firearm, event = excluded.event, visibility = excluded.visibility,
        visibility_countries = excluded.visibility_countries, confidentiality = excluded.confidentiality,
        review_date = excluded.review_date, review_overdue = excluded.review_date < current_date, content_hash = excluded.content_hash,
        last_ledger_id = excluded.last_ledger_id, updated_at = excluded.updated_at
    )
    insert into record_versions (record_id, version, status, ledger_id, agency, at, change, snapshot)
    select id, ver, st, lid, oa, ${now}, ch,
      jsonb_build_object('status', st, 'firearm', fa, 'event', ev,
        'restrictions', jsonb_build_object('visibility', vis, 'countries', to_jsonb(vc), 'confidentiality', conf))
    from staging`.execute(db);
}
