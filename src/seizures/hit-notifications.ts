import type { FirearmDescription, HitNotification, SeizureReport } from '../messages/generated-types.js';
import type { CandidateRecord } from '../match/candidate-search.js';
import { canSee, type Viewer } from '../records/record-visibility.js';
import type { HitStatus, HitTier, SerialTier } from '../db/database-types.js';

/**
 * What each side of a hit is told. The record's owner gets the seizure in full: it has to compare
 * the seized weapon with its record. The seizing agency gets the record only as far as the owner's
 * restrictions allow; otherwise only that country X holds a record that may concern the firearm,
 * whom to contact, and nothing of the record, not even in the explanation (INTERPOL's rules on
 * the processing of data: a restricted record never leaks its details).
 */
export interface HitFacts {
  id: string;
  status: HitStatus;
  tier: HitTier;
  score: number;
  serialTier: SerialTier;
  explanation: string[];
  foundBy: 'seizure' | 'record';
}

export interface SeizureSide {
  id: string;
  country: string;
  agency: string;
  seizureReference: string;
  seizedOn: string;
  report: SeizureReport;
  item: { index: number; itemReference: string | null; firearm: FirearmDescription };
}

export type RecordSide = Pick<CandidateRecord, 'id' | 'owner_country' | 'owner_agency' | 'owner_reference' | 'status' | 'firearm' | 'event' | 'visibility' | 'visibility_countries' | 'confidentiality'>;

function base(hit: HitFacts): Pick<HitNotification, 'hitId' | 'status' | 'tier' | 'score' | 'serialTier' | 'foundBy'> {
  return { hitId: hit.id, status: 'PENDING_CONFIRMATION', tier: hit.tier, score: hit.score, serialTier: hit.serialTier, foundBy: hit.foundBy };
}

function recordPart(r: RecordSide): NonNullable<HitNotification['record']> {
  return {
    id: r.id,
    ownerCountry: r.owner_country,
    ownerAgency: r.owner_agency,
    ownerReference: r.owner_reference,
    status: r.status,
    firearm: r.firearm as unknown as Record<string, unknown>,
    event: r.event as unknown as Record<string, unknown>,
    confidentiality: r.confidentiality,
  };
}

/** What identifies the seized firearm, for both sides. */
function seizureReferences(seizure: SeizureSide): HitNotification['seizure'] {
  return {
    id: seizure.id,
    country: seizure.country,
    agency: seizure.agency,
    seizureReference: seizure.seizureReference,
    itemIndex: seizure.item.index,
    ...(seizure.item.itemReference ? { itemReference: seizure.item.itemReference } : {}),
    date: seizure.seizedOn,
  };
}

export function ownerNotification(hit: HitFacts, seizure: SeizureSide, record: RecordSide): HitNotification {
  return {
    ...base(hit),
    audience: 'record-owner',
    explanation: hit.explanation,
    seizure: {
      ...seizureReferences(seizure),
      report: seizure.report as unknown as Record<string, unknown>,
      firearm: seizure.item.firearm as unknown as Record<string, unknown>,
    },
    record: recordPart(record),
  };
}

export function restrictedNotice(ownerCountry: string, ncb: string | undefined): NonNullable<HitNotification['restricted']> {
  return {
    ownerCountry,
    ...(ncb ? { contact: ncb } : {}),
    message: `A record held by ${ownerCountry} may concern this firearm. Its details are restricted; contact ${ncb ? `${ncb}, the National Central Bureau of ${ownerCountry}` : `the National Central Bureau of ${ownerCountry}`}.`,
  };
}

export function seizingNotification(hit: HitFacts, seizure: SeizureSide, record: RecordSide, viewer: Viewer, ownerNcb: string | undefined): HitNotification {
  const seizurePart = seizureReferences(seizure);
  if (!canSee(record, viewer)) {
    return { ...base(hit), audience: 'seizing-agency', explanation: [`${hit.serialTier} serial agreement with a restricted record of ${record.owner_country}`], seizure: seizurePart, restricted: restrictedNotice(record.owner_country, ownerNcb) };
  }
  return { ...base(hit), audience: 'seizing-agency', explanation: hit.explanation, seizure: seizurePart, record: recordPart(record) };
}
