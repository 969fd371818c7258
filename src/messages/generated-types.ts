/* Generated from schemas/ by scripts/generate-message-types.ts. Do not edit: change the schema and run `npm run schemas:types`. */
/* eslint-disable */

// urn:tracehub:schema:config:hub
/**
 * Hub-wide settings (config/hub.json). Secrets and service URLs never go here: they come from the environment.
 */
export interface HubConfig {
  /**
   * How the hub names itself as the sender of the messages it originates (receipts, notifications).
   */
  identity: {
    country: string;
    agency: string;
  };
  http: {
    bodyLimitBytes: number;
    batchMaxMessages: number;
    apiKeyCacheSeconds?: number;
  };
  xml: {
    maxDepth: number;
    maxBytes: number;
  };
  pipeline: {
    /**
     * Most messages written to the ledger in one group commit.
     */
    ingestMaxBatch: number;
    /**
     * Longest a received message waits for others to share its ledger write.
     */
    ingestFlushMs: number;
    applyBatchSize: number;
    applyConcurrency: number;
    /**
     * Attempts of a transiently failing apply before its messages are dead-lettered.
     */
    attempts: number;
    /**
     * First retry delay; doubles on each attempt.
     */
    backoffMs: number;
    /**
     * A message left unfinished this long (a crash between commit and enqueue) is picked up again by the sweeper.
     */
    staleAfterSeconds: number;
    sweepIntervalSeconds: number;
  };
  delivery: {
    attempts: number;
    backoffMs: number;
  };
  retention: {
    defaultClass: string;
    /**
     * Each class is its own set of monthly ledger partitions, dropped whole when older than the class keeps.
     */
    classes: {
      [k: string]:
        | {
            months: number;
          }
        | undefined;
    };
    idempotencyWindowDays: number;
  };
  queues: {
    /**
     * Redis is not the message store; finished jobs are kept only briefly.
     */
    removeOnCompleteSeconds: number;
    removeOnFailSeconds: number;
  };
  /**
   * Firearm record rules that apply unless a partner file overrides them.
   */
  records: {
    /**
     * A record must be reviewed this many years after entry (INTERPOL's initial retention is at most five).
     */
    reviewYears: number;
    /**
     * How long before the review date the owner is reminded.
     */
    reviewReminderDays: number;
  };
}

// urn:tracehub:schema:config:partner
/**
 * One partner country (config/partners/<CC>.json): who its NCB is, how it sends and how it wants replies.
 */
export interface PartnerConfig {
  /**
   * ISO 3166-1 alpha-2; must match the file name.
   */
  country: string;
  name: string;
  /**
   * The country's INTERPOL National Central Bureau, which approves the country's other agencies.
   */
  ncb: {
    agency: string;
    name: string;
  };
  /**
   * The channels the country sends on, each with the format adapter that reads what arrives there.
   *
   * @minItems 1
   */
  inbound: {
    channel: 'rest' | 'amqp' | 'sftp';
    format: string;
    options?: {
      [k: string]: unknown | undefined;
    };
  }[];
  /**
   * The channel and format the country wants notifications, receipts and responses on.
   */
  replies: {
    channel: 'rest' | 'amqp' | 'sftp' | 'webhook';
    format: string;
    options?: {
      [k: string]: unknown | undefined;
    };
  };
  /**
   * Which ledger retention class this country's messages are kept in; the hub's default otherwise.
   */
  retentionClass?: string;
  /**
   * The country's own record rules, where they differ from the hub's.
   */
  records?: {
    reviewYears?: number;
    reviewReminderDays?: number;
  };
}

// urn:tracehub:schema:config:reference-calibres
/**
 * Calibres and gauges (config/reference/calibres.json): one entry per cartridge or bore with its SAAMI/CIP-style name and designation variants, the near-names that are different cartridges (distinctFrom) and related-but-distinct cartridges (relatedTo).
 */
export interface ReferenceCalibres {
  /**
   * Provenance and conventions of the list.
   */
  note?: string;
  /**
   * @minItems 1
   */
  calibres: ReferenceCalibre[];
  /**
   * Designations that name several cartridges ('9mm', '7.62', '.38'). Such text is never mapped to one of them; it resolves to all the candidates. Keys are free text, normalised like calibres.
   */
  ambiguous: {
    /**
     * @minItems 2
     */
    [k: string]: string[] | undefined;
  };
}
/**
 * This interface was referenced by `ReferenceCalibres`'s JSON-Schema
 * via the `definition` "calibre".
 */
export interface ReferenceCalibre {
  /**
   * Stable id, e.g. 9x19mm, 380-acp, 12-gauge.
   */
  id: string;
  /**
   * SAAMI or CIP style name.
   */
  name: string;
  /**
   * cartridge: centrefire metallic; rimfire; gauge: shotgun bore; shotshell: shot cartridge for non-shotguns; blank: blank-firing (alarm) cartridge; air: airgun pellet or BB; muzzleloading: loose ball or bullet; flare; grenade.
   */
  kind: 'cartridge' | 'rimfire' | 'gauge' | 'shotshell' | 'blank' | 'air' | 'muzzleloading' | 'flare' | 'grenade';
  /**
   * Designations that mean this cartridge and no other.
   */
  aliases: string[];
  /**
   * Ids of near-names that are different cartridges and must never be merged with this one.
   */
  distinctFrom?: string[];
  /**
   * Ids of related but distinct cartridges (a military cartridge and its commercial counterpart).
   */
  relatedTo?: string[];
  note?: string;
}

// urn:tracehub:schema:config:reference-manufacturers
/**
 * Firearm manufacturers (config/reference/manufacturers.json), in the spirit of INTERPOL's Firearms Reference Table: one entry per maker and plant, with the spellings seen in the wild. Free-text makes are mapped to an entry id; matching compares ids.
 */
export interface ReferenceManufacturers {
  /**
   * Provenance and conventions of the list.
   */
  note?: string;
  /**
   * @minItems 1
   */
  manufacturers: ReferenceManufacturer[];
  /**
   * Designations that name several makers (a brand made in several plants or countries, a shared short name). Such text is never mapped to one maker; it resolves to all the candidates. Keys are free text, normalised like makes.
   */
  ambiguous?: {
    /**
     * @minItems 2
     */
    [k: string]: string[] | undefined;
  };
}
/**
 * This interface was referenced by `ReferenceManufacturers`'s JSON-Schema
 * via the `definition` "manufacturer".
 */
export interface ReferenceManufacturer {
  /**
   * Stable kebab-case id; records keep it, so never reuse or rename one.
   */
  id: string;
  /**
   * Canonical trade name.
   */
  name: string;
  /**
   * ISO 3166-1 alpha-2 of the maker or plant; XX (user-assigned) when unknown.
   */
  country: string;
  /**
   * NCIC gun make (MAK) code, only where confirmed from a public source.
   */
  ncicCode?: string;
  /**
   * Spellings, abbreviations and former names that mean this maker and no other.
   */
  aliases: string[];
  /**
   * Id of the owning or originating maker (subsidiary, foreign plant, successor).
   */
  parent?: string;
  note?: string;
}

// urn:tracehub:schema:config:reference-types
/**
 * Firearm types and actions (config/reference/firearm-types.json) with the crosswalk to the NCIC gun TYP code: a category character (fbi:TYPCodeType) followed by a characteristic character (fbi:TYPDescriptionCodeType).
 */
export interface ReferenceTypes {
  /**
   * Provenance and conventions of the list.
   */
  note?: string;
  /**
   * NCIC gun category codes: the first character of TYP.
   *
   * @minItems 1
   */
  categories: ReferenceNcicCode[];
  /**
   * NCIC gun characteristic codes: the second character of TYP.
   *
   * @minItems 1
   */
  characteristics: ReferenceNcicCode[];
  /**
   * @minItems 1
   */
  actions: ReferenceAction[];
  /**
   * @minItems 1
   */
  types: ReferenceFirearmType[];
  /**
   * Designations that name several types ('gas pistol', 'automatic pistol'). Such text is never mapped to one of them. Keys are free text, normalised like types.
   */
  ambiguous?: {
    /**
     * @minItems 2
     */
    [k: string]: string[] | undefined;
  };
}
/**
 * This interface was referenced by `ReferenceTypes`'s JSON-Schema
 * via the `definition` "code".
 */
export interface ReferenceNcicCode {
  code: string;
  name: string;
}
/**
 * This interface was referenced by `ReferenceTypes`'s JSON-Schema
 * via the `definition` "action".
 */
export interface ReferenceAction {
  id: string;
  name: string;
  /**
   * The NCIC characteristic code that names this action, where one does.
   */
  ncicCharacteristic?: string;
  aliases: string[];
  note?: string;
}
/**
 * This interface was referenced by `ReferenceTypes`'s JSON-Schema
 * via the `definition` "firearmType".
 */
export interface ReferenceFirearmType {
  id: string;
  name: string;
  /**
   * NCIC category code (first TYP character).
   */
  ncicCategory: string;
  /**
   * Full NCIC TYP code (category + characteristic). Absent for a generic type whose action is not stated.
   */
  ncicTyp?: string;
  /**
   * Id of the action, when the type implies one.
   */
  action?: string;
  aliases: string[];
  note?: string;
}

// urn:tracehub:schema:envelope
/**
 * ISO 3166-1 alpha-2 country code (ZZ is the hub itself).
 *
 * This interface was referenced by `Envelope`'s JSON-Schema
 * via the `definition` "countryCode".
 */
export type CountryCode = string;

/**
 * The canonical wrapper of every message that enters or leaves the hub, whatever the channel or format it travelled in.
 */
export interface Envelope {
  /**
   * Unique per sending agency; the hub's idempotency key together with the sender.
   */
  messageId: string;
  /**
   * Message type from the hub's type registry, e.g. hub.notice.
   */
  type: string;
  sender: Party;
  sentAt: string;
  /**
   * Follows a conversation across messages; the hub assigns one when absent.
   */
  correlationId?: string;
  /**
   * messageId of the message this one answers.
   */
  inReplyTo?: string;
  payload: {};
}
/**
 * This interface was referenced by `Envelope`'s JSON-Schema
 * via the `definition` "party".
 */
export interface Party {
  country: CountryCode;
  agency: string;
}
/**
 * A country, or one agency of it; a country-wide recipient is served to its National Central Bureau.
 *
 * This interface was referenced by `Envelope`'s JSON-Schema
 * via the `definition` "recipient".
 */
export interface Recipient {
  country: CountryCode;
  agency?: string;
}

// urn:tracehub:schema:firearm
/**
 * The shared description of a firearm and of the event that made it of interest. Records, seizures and trace requests all use it, so the three can be compared field by field.
 */
export interface Firearm {
  [k: string]: unknown | undefined;
}
/**
 * This interface was referenced by `Firearm`'s JSON-Schema
 * via the `definition` "serialNumber".
 */
export interface SerialNumber {
  /**
   * As marked on the firearm, in any script (Latin, Cyrillic, Greek), with its spaces and hyphens. For a partial serial, unreadable characters are '?'.
   */
  value: string;
  location?: 'frame' | 'receiver' | 'slide' | 'barrel' | 'cylinder' | 'other';
  /**
   * Who applied the number.
   */
  kind?: 'manufacturer' | 'importer' | 'national' | 'other';
  /**
   * Filed, ground or drilled; what is given was restored.
   */
  obliterated?: boolean;
  /**
   * Only part of the number could be read.
   */
  partial?: boolean;
}
/**
 * This interface was referenced by `Firearm`'s JSON-Schema
 * via the `definition` "description".
 */
export interface FirearmDescription {
  /**
   * @minItems 1
   * @maxItems 8
   */
  serials: SerialNumber[];
  /**
   * The original maker as marked (not the importer). 'UNKNOWN' (or NCIC ZZZ) needs makeDescription.
   */
  make: string;
  /**
   * What the firearm looks like when the make is unknown.
   */
  makeDescription?: string;
  model?: string;
  /**
   * Calibre or gauge as marked or as known: '9mm Luger', '.380 ACP', '12 ga'.
   */
  calibre: string;
  /**
   * Pistol, revolver, rifle, shotgun... or the NCIC TYP code (PI, PR, RB...).
   */
  type: string;
  action?: string;
  countryOfManufacture?: string;
  importer?: {
    name?: string;
    country?: string;
    year?: number;
    marking?: string;
  };
  yearOfManufacture?: number;
  /**
   * @maxItems 20
   */
  otherMarkings?: string[];
  barrelLength?: {
    value: number;
    unit: 'mm' | 'in';
  };
  finish?: string;
  /**
   * @maxItems 20
   */
  photos?: {
    /**
     * Attachment id or URI of the photo.
     */
    ref: string;
    caption?: string;
  }[];
}
/**
 * What happened to the firearm: loss, theft, trafficking, smuggling or seizure.
 *
 * This interface was referenced by `Firearm`'s JSON-Schema
 * via the `definition` "event".
 */
export interface FirearmEvent {
  date: string;
  place?: {
    country?: string;
    locality?: string;
    description?: string;
  };
  circumstances?: string;
  /**
   * Why the firearm is illicit (UN Firearms Protocol / ITI): national law, UN embargo, unmarked, manufactured or transferred without licence.
   */
  illicitBasis?: 'national-law' | 'un-embargo' | 'unmarked' | 'unlicensed-manufacture' | 'unlicensed-transfer';
  /**
   * The national case number (NCIC OCA).
   */
  caseNumber: string;
  /**
   * The agency that handles the case, if not the sender.
   */
  agency?: string;
}

// urn:tracehub:schema:hub.notice
/**
 * A free-text notice from one agency to others (a bulletin, a request for contact). Routed to each recipient over the channel that recipient uses.
 */
export interface HubNotice {
  /**
   * @minItems 1
   * @maxItems 200
   */
  to: Recipient[];
  subject: string;
  body: string;
  priority?: 'routine' | 'urgent';
  /**
   * Serial numbers the notice is about, so the ledger can find it by serial.
   *
   * @maxItems 50
   */
  serials?: string[];
}

// urn:tracehub:schema:hub.receipt
/**
 * The hub's answer to a sender about one of its messages: accepted, applied, or rejected with every error.
 */
export interface HubReceipt {
  /**
   * The hub's id of the message the receipt is about.
   */
  ledgerId: string;
  originalMessageId?: string;
  outcome: 'applied' | 'rejected' | 'dead';
  errors?: FieldError[];
}
/**
 * This interface was referenced by `HubReceipt`'s JSON-Schema
 * via the `definition` "fieldError".
 */
export interface FieldError {
  /**
   * JSON pointer into the canonical message (RFC 6901); absent when the whole message is at fault.
   */
  pointer?: string;
  /**
   * The field as the sender wrote it, when a format adapter knows it (e.g. an XML path or a CSV column).
   */
  source?: string;
  code: string;
  message: string;
}

// urn:tracehub:schema:record.review-due
/**
 * Sent to a record's owner before its review date (and when it has passed): confirm the record is still valid, or clear it.
 */
export interface RecordReviewDue {
  recordId: string;
  ownerReference: string;
  reviewDate: string;
  overdue: boolean;
}

// urn:tracehub:schema:record.status
/**
 * Change a record's status: reclassify it, mark it LOCATED (found again after a hit), CLEARED (closed by the owner) or CANCELLED (entered in error).
 */
export interface RecordStatusChange {
  ownerReference: string;
  status: 'LOST' | 'STOLEN' | 'TRAFFICKED' | 'SMUGGLED' | 'SEIZED_FOR_TRACING' | 'LOCATED' | 'CLEARED' | 'CANCELLED';
  reason?: string;
}

// urn:tracehub:schema:record.upsert
/**
 * Create or update a record of a lost, stolen, trafficked or smuggled firearm. Keyed by the owner country's own reference, so a registry can resend its data safely: the same content again changes nothing.
 */
export interface RecordUpsert {
  /**
   * The owner's own id for the record; unique within the owner country.
   */
  ownerReference: string;
  status: 'LOST' | 'STOLEN' | 'TRAFFICKED' | 'SMUGGLED' | 'SEIZED_FOR_TRACING';
  firearm: FirearmDescription;
  event: FirearmEvent;
  restrictions?: RecordRestrictions;
  /**
   * When the owner must confirm the record is still valid; the owner country's default period otherwise.
   */
  reviewDate?: string;
}
/**
 * Who may see the record. The owner always does.
 *
 * This interface was referenced by `RecordUpsert`'s JSON-Schema
 * via the `definition` "restrictions".
 */
export interface RecordRestrictions {
  visibility: 'all' | 'allow' | 'deny';
  /**
   * @maxItems 250
   */
  countries?: string[];
  /**
   * Travels with the data. 'confidential' records are shown to National Central Bureaus only.
   */
  confidentiality?: 'official-use' | 'restricted' | 'confidential';
}
