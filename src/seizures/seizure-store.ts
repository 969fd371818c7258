import type { Kysely } from 'kysely';
import type { Database } from '../db/database-types.js';
import { HubError } from '../errors/hub-error.js';
import { uuidv7 } from '../ids/uuidv7.js';
import type { FirearmDescription, Party, SeizureReport } from '../messages/generated-types.js';
import { partialPattern } from '../match/partial-serial.js';
import { primarySerial } from '../records/record-preparation.js';
import { serialQuery } from '../match/candidate-search.js';
import type { ReferenceCatalogue, Resolution } from '../reference/reference-catalogue.js';
import { serialKeys } from '../serials/serial-keys.js';

/**
 * Seizures as reported, one row per seized firearm beside them. Each firearm keeps the keys it
 * looked records up by, so that records entered later find it (reverse matching), and a partial
 * serial keeps its LIKE pattern for the same purpose.
 */
export interface StoredItem {
  id: string;
  index: number;
  itemReference: string | null;
  firearm: FirearmDescription;
}

export interface StoredSeizure {
  id: string;
  country: string;
  agency: string;
  seizureReference: string;
  seizedOn: string;
  report: SeizureReport;
  items: StoredItem[];
}

function idOf(r: Resolution): string | null {
  return r.status === 'mapped' ? r.id : null;
}

export async function insertSeizure(
  trx: Kysely<Database>,
  args: { ledgerId: string; sender: Party; report: SeizureReport; reference: ReferenceCatalogue; now: Date },
): Promise<StoredSeizure> {
  const { report, sender } = args;
  const existing = await trx.selectFrom('seizures').select(['id', 'ledger_id']).where('country', '=', sender.country).where('seizure_reference', '=', report.seizureReference).executeTakeFirst();
  if (existing) {
    throw new HubError('CONFLICT', `${sender.country} already reported seizure ${report.seizureReference} (seizure ${existing.id}); a seizure reference is reported once`, [
      { pointer: '/payload/seizureReference', code: 'seizure.duplicate-reference', message: `already reported as seizure ${existing.id}` },
    ], { seizureId: existing.id });
  }
  const id = uuidv7(args.now.getTime());
  await trx
    .insertInto('seizures')
    .values({
      id,
      ledger_id: args.ledgerId,
      country: sender.country,
      agency: sender.agency,
      seizure_reference: report.seizureReference,
      seized_on: report.date,
      place_type: report.place.type,
      direction: report.direction ?? null,
      report: JSON.stringify(report),
      created_at: args.now,
    })
    .execute();
  const items: StoredItem[] = report.firearms.map((f, index) => ({ id: uuidv7(args.now.getTime()), index, itemReference: f.itemReference ?? null, firearm: f.description }));
  await trx
    .insertInto('seizure_items')
    .values(
      items.map((item) => {
        const serial = primarySerial(item.firearm);
        const flagged = item.firearm.serials.find((s) => s.value === serial);
        const key = serialKeys(serial).normalised;
        const pattern = partialPattern(key, flagged?.partial === true);
        return {
          id: item.id,
          seizure_id: id,
          item_index: item.index,
          item_reference: item.itemReference,
          serial,
          serial_key: key,
          serial_pattern: pattern && !pattern.isSingleUnknown ? pattern.like : null,
          query_keys: serialQuery(item.firearm.serials).keys,
          make_id: idOf(args.reference.resolveMake(item.firearm.make)),
          calibre_id: idOf(args.reference.resolveCalibre(item.firearm.calibre)),
          type_id: idOf(args.reference.resolveType(item.firearm.type)),
          firearm: JSON.stringify(item.firearm),
        };
      }),
    )
    .execute();
  return { id, country: sender.country, agency: sender.agency, seizureReference: report.seizureReference, seizedOn: report.date, report, items };
}
