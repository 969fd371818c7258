import type { HitTier } from '../db/database-types.js';
import type { FieldAgreement } from './description-agreement.js';
import type { SerialEvidence } from './serial-comparison.js';

/**
 * Turns the evidence for one (seized firearm, record) pair into a score, a tier and an explanation,
 * and ranks a seized firearm's candidates. The score is the serial's evidence times each field's
 * factor, so every factor shows in the explanation and none can be hidden by a sum. A STRONG hit
 * needs more than a score: the maker must agree (a serial is unique per maker only), the serial must
 * be whole (not a pattern), and the calibre must not contradict; and when two records are equally
 * strong for one seized firearm, neither is called strong, since the evidence cannot tell them
 * apart. No hit is ever confirmed by the hub: tiers order the owner's work, they do not decide it.
 */
export interface MatchThresholds {
  strongScore: number;
  possibleScore: number;
  minimumScore: number;
  maxHitsPerItem: number;
  ambiguityMargin?: number | undefined;
}

export interface ScoredCandidate<R> {
  record: R;
  recordId: string;
  score: number;
  tier: HitTier;
  serial: SerialEvidence;
  fields: FieldAgreement[];
  explanation: string[];
}

function round(x: number): number {
  return Math.round(x * 1000) / 1000;
}

/** Whether the evidence could support a STRONG hit at all, whatever its score. */
function strongEligible(serial: SerialEvidence, fields: readonly FieldAgreement[]): string | undefined {
  const make = fields.find((f) => f.field === 'make');
  if (make?.verdict !== 'same') return 'not strong: the maker does not agree, and serials are unique per maker only';
  if (serial.tier === 'PARTIAL') return 'not strong: only part of the serial could be read';
  if (fields.some((f) => f.field === 'calibre' && f.verdict === 'different')) return 'not strong: the calibre contradicts the record';
  return undefined;
}

export function scoreCandidate<R>(record: R, recordId: string, serial: SerialEvidence, fields: FieldAgreement[], t: MatchThresholds): ScoredCandidate<R> | undefined {
  let score = serial.score;
  for (const f of fields) score *= f.factor;
  score = round(score);
  if (score < t.minimumScore) return undefined;
  const explanation = [`${serial.tier} serial: ${serial.explanation}`, ...fields.filter((f) => f.verdict !== 'unknown' || f.field === 'make' || f.field === 'calibre').map((f) => f.explanation)];
  let tier: HitTier = score >= t.possibleScore ? 'POSSIBLE' : 'WEAK';
  if (score >= t.strongScore) {
    const why = strongEligible(serial, fields);
    if (why) explanation.push(why);
    else tier = 'STRONG';
  }
  return { record, recordId, score, tier, serial, fields, explanation };
}

const TIER_ORDER: Record<HitTier, number> = { STRONG: 0, POSSIBLE: 1, WEAK: 2 };

/** Best first, at most maxHitsPerItem; equally strong rivals are demoted to POSSIBLE. */
export function rankCandidates<R>(scored: readonly ScoredCandidate<R>[], t: MatchThresholds): ScoredCandidate<R>[] {
  const ranked = [...scored].sort((a, b) => TIER_ORDER[a.tier] - TIER_ORDER[b.tier] || b.score - a.score || a.recordId.localeCompare(b.recordId));
  const strong = ranked.filter((c) => c.tier === 'STRONG');
  const margin = t.ambiguityMargin ?? 0;
  if (strong.length > 1 && strong[0]!.score - strong[1]!.score <= margin) {
    const top = strong[0]!.score;
    for (const c of strong) {
      if (top - c.score <= margin) {
        c.tier = 'POSSIBLE';
        c.explanation.push(`not strong: ${strong.length} records agree about equally well with this firearm`);
      }
    }
    ranked.sort((a, b) => TIER_ORDER[a.tier] - TIER_ORDER[b.tier] || b.score - a.score || a.recordId.localeCompare(b.recordId));
  }
  return ranked.slice(0, t.maxHitsPerItem);
}
