import type { FirearmDescription } from '../messages/generated-types.js';
import type { ReferenceCatalogue } from '../reference/reference-catalogue.js';
import {
  findRecordCandidates,
  findSeizedCandidates,
  loadMatchableRecords,
  serialQuery,
  type CandidateFirearm,
  type CandidateRecord,
  type CandidateSeizedItem,
} from './candidate-search.js';
import { compareDescriptions, resolveFirearm, type ResolvedFirearm } from './description-agreement.js';
import { rankCandidates, scoreCandidate, type MatchThresholds, type ScoredCandidate } from './hit-scoring.js';
import { bestSerialEvidence } from './serial-comparison.js';

/**
 * The matcher: candidates from the serial, then evidence from the whole description. The scoring is
 * plain functions over typed data (`rankRecordCandidates`, `scorePair`); the two functions that read
 * the database only fetch candidates and hand them over.
 */
export interface MatchSettings extends MatchThresholds {
  maxCandidates: number;
}

export type RecordHit = ScoredCandidate<CandidateRecord>;

/** Scores one seized firearm against one recorded firearm; undefined when the serials do not agree at any tier or the score is below the minimum. */
export function scorePair<R>(seized: ResolvedFirearm, recorded: ResolvedFirearm, record: R, recordId: string, reference: ReferenceCatalogue, t: MatchThresholds): ScoredCandidate<R> | undefined {
  const serial = bestSerialEvidence(seized.serials, recorded.serials.map((s) => s.value));
  if (!serial) return undefined;
  return scoreCandidate(record, recordId, serial, compareDescriptions(seized, recorded, reference), t);
}

/** Ranks the candidate records of one seized firearm: best first, tiers assigned, rivals considered. */
export function rankRecordCandidates<C extends CandidateFirearm>(seized: ResolvedFirearm, candidates: readonly C[], reference: ReferenceCatalogue, t: MatchThresholds): ScoredCandidate<C>[] {
  const scored: ScoredCandidate<C>[] = [];
  for (const c of candidates) {
    const s = scorePair(seized, resolveFirearm(c.firearm, reference), c, c.id, reference, t);
    if (s) scored.push(s);
  }
  return rankCandidates(scored, t);
}

type Db = Parameters<typeof findRecordCandidates>[0];

/** Matches one seized firearm against the record store. */
export async function matchSeizedFirearm(db: Db, firearm: FirearmDescription, reference: ReferenceCatalogue, settings: MatchSettings): Promise<RecordHit[]> {
  const seized = resolveFirearm(firearm, reference);
  const candidates = await findRecordCandidates(db, serialQuery(seized.serials), settings.maxCandidates);
  const ranked = rankRecordCandidates(seized, candidates, reference, settings);
  if (ranked.length === 0) return [];
  // The whole row only for those that ranked; one that stopped being matchable meanwhile drops out.
  const records = new Map((await loadMatchableRecords(db, ranked.map((h) => h.recordId))).map((r) => [r.id, r]));
  return ranked.flatMap((h) => {
    const record = records.get(h.recordId);
    return record ? [{ ...h, record }] : [];
  });
}

export interface ReverseHit {
  item: CandidateSeizedItem;
  hit: ScoredCandidate<CandidateRecord>;
}

/**
 * Reverse matching: new or changed records against the firearms seized before them (a gun seized
 * last month and reported stolen today is a hit). One query finds the (seized firearm, record)
 * pairs for a whole batch; each pair is then scored exactly as a seizure is scored against a
 * record, so both directions give the same hit for the same pair.
 */
export async function matchRecordsAgainstSeizures(db: Db, recordIds: readonly string[], reference: ReferenceCatalogue, settings: MatchSettings): Promise<ReverseHit[]> {
  const pairs = await findSeizedCandidates(db, recordIds, settings.maxCandidates * Math.max(1, recordIds.length));
  if (pairs.length === 0) return [];
  const records = new Map((await loadMatchableRecords(db, [...new Set(pairs.map((p) => p.record_id))])).map((r) => [r.id, r]));
  const byItem = new Map<string, CandidateSeizedItem[]>();
  for (const p of pairs) byItem.set(p.id, [...(byItem.get(p.id) ?? []), p]);
  const out: ReverseHit[] = [];
  for (const itemPairs of byItem.values()) {
    const seized = resolveFirearm(itemPairs[0]!.firearm, reference);
    const scored: { item: CandidateSeizedItem; hit: ScoredCandidate<CandidateRecord> }[] = [];
    for (const p of itemPairs) {
      const record = records.get(p.record_id);
      if (!record) continue; // not matchable any more (found, cleared, cancelled)
      const hit = scorePair(seized, resolveFirearm(record.firearm, reference), record, record.id, reference, settings);
      if (hit) scored.push({ item: p, hit });
    }
    const ranked = new Set(rankCandidates(scored.map((x) => x.hit), settings));
    for (const x of scored) if (ranked.has(x.hit)) out.push(x);
  }
  return out;
}
