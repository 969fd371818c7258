import type { CandidateRecord, CandidateSeizedItem } from '../match/candidate-search.js';
import type { ScoredCandidate } from '../match/hit-scoring.js';
import type { ApplyContext } from '../pipeline/message-handler.js';
import { ownerNotification, seizingNotification, type HitFacts, type SeizureSide } from './hit-notifications.js';
import { insertHits } from './hit-store.js';
import type { StoredItem, StoredSeizure } from './seizure-store.js';

/**
 * Records the hits found (in either direction) and, for each one not recorded before, routes a
 * notification at once to the record's owner and to the seizing agency, each over its own
 * country's channel, in the same transaction: a hit is never recorded without its notifications,
 * nor notified twice.
 */
export interface FoundHit {
  seizure: SeizureSide;
  seizureItemId: string;
  hit: ScoredCandidate<CandidateRecord>;
  /** The inbound message that led to the hit (the seizure report, or the record upsert). */
  source: string;
}

export function seizureSideOf(seizure: StoredSeizure, item: StoredItem): SeizureSide {
  return {
    id: seizure.id,
    country: seizure.country,
    agency: seizure.agency,
    seizureReference: seizure.seizureReference,
    seizedOn: seizure.seizedOn,
    report: seizure.report,
    item: { index: item.index, itemReference: item.itemReference, firearm: item.firearm },
  };
}

export function seizureSideOfCandidate(item: CandidateSeizedItem): SeizureSide {
  return {
    id: item.seizure_id,
    country: item.country,
    agency: item.agency,
    seizureReference: item.seizure_reference,
    seizedOn: item.seized_on.toISOString().slice(0, 10),
    report: item.report as unknown as SeizureSide['report'],
    item: { index: item.item_index, itemReference: item.item_reference, firearm: item.firearm },
  };
}

export async function recordAndNotifyHits(ctx: ApplyContext, found: readonly FoundHit[], foundBy: HitFacts['foundBy']): Promise<number> {
  const created = await insertHits(
    ctx.trx,
    found.map((f) => ({
      seizureItemId: f.seizureItemId,
      seizureId: f.seizure.id,
      recordId: f.hit.recordId,
      recordOwnerCountry: f.hit.record.owner_country,
      seizingCountry: f.seizure.country,
      foundBy,
      tier: f.hit.tier,
      score: f.hit.score,
      serialTier: f.hit.serial.tier,
      explanation: f.hit.explanation,
    })),
    ctx.now,
  );
  for (const f of found) {
    const id = created.get(`${f.seizureItemId}:${f.hit.recordId}`);
    if (!id) continue;
    const record = f.hit.record;
    const facts: HitFacts = { id, status: 'PENDING_CONFIRMATION', tier: f.hit.tier, score: f.hit.score, serialTier: f.hit.serial.tier, explanation: f.hit.explanation, foundBy };
    ctx.log.info({ hitId: id, recordId: record.id, owner: record.owner_country, seizing: f.seizure.country, tier: f.hit.tier, score: f.hit.score, foundBy }, 'hit recorded');
    if (ctx.isPartner(record.owner_country)) {
      ctx.route({ country: record.owner_country, agency: record.owner_agency }, 'hit.notification', ownerNotification(facts, f.seizure, record) as never, { source: f.source });
    }
    if (ctx.isPartner(f.seizure.country)) {
      const viewer = { country: f.seizure.country, role: ctx.ncbOf(f.seizure.country) === f.seizure.agency ? ('ncb' as const) : ('agency' as const) };
      ctx.route({ country: f.seizure.country, agency: f.seizure.agency }, 'hit.notification', seizingNotification(facts, f.seizure, record, viewer, ctx.ncbOf(record.owner_country)) as never, { source: f.source });
    }
  }
  return created.size;
}
