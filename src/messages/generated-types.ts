/* Generated from schemas/ by scripts/generate-message-types.ts. Do not edit: change the schema and run `npm run schemas:types`. */
/* eslint-disable */

// urn:tracehub:schema:config:csv-mapping
/**
 * This interface was referenced by `CsvMapping`'s JSON-Schema
 * via the `definition` "field".
 */
export type CsvFieldMapping = Field & Field1;
export type Field = {
  [k: string]: unknown | undefined;
};

/**
 * A partner's CSV layout (config/formats/<name>.json): which column fills which field of the canonical payload. Each file is a format adapter named by `name`, which partner files use as `inbound[].format`. A new layout is a new file, not new code.
 */
export interface CsvMapping {
  /**
   * The format's name in partner configuration; must match the file name.
   */
  name: string;
  description?: string;
  /**
   * The canonical message type every row becomes.
   */
  type: string;
  csv?: {
    delimiter?: string;
    quote?: string;
    /**
     * Whether the first row names the columns.
     */
    header?: boolean;
    /**
     * The encoding the partner's files are in, read and written. Bytes that are not valid in it are an error naming their line; a character it has no byte for fails the delivery that needs it.
     */
    encoding?: 'utf-8' | 'windows-1252' | 'iso-8859-1' | 'iso-8859-2' | 'iso-8859-15';
    /**
     * Column names, in order, for files without a header row.
     *
     * @minItems 1
     */
    columns?: string[];
  };
  /**
   * Where a row's messageId comes from. Without it, the id is derived from the row's bytes, so the same row sent again is recognised and a changed row is a new message.
   */
  messageId?: {
    column: string;
    prefix?: string;
  };
  /**
   * Keyed by JSON pointer into the payload ('/firearm/make'). A '*' segment fills one array item per value of a split column ('/firearm/serials/* /value').
   */
  fields: {
    [k: string]: CsvFieldMapping | undefined;
  };
}
export interface Field1 {
  /**
   * The column (header name) the value comes from.
   */
  column?: string;
  /**
   * A fixed value, for fields the layout does not carry.
   */
  const?: string | number | boolean;
  as?: 'string' | 'integer' | 'number' | 'boolean' | 'date';
  /**
   * How a date column is written; the canonical form is YYYY-MM-DD.
   */
  dateFormat?: 'YYYY-MM-DD' | 'DD/MM/YYYY' | 'MM/DD/YYYY' | 'DD.MM.YYYY' | 'DD-MM-YYYY' | 'YYYYMMDD';
  /**
   * Translates the partner's codes to canonical values ('Stolen' -> 'STOLEN'); matched case-insensitively.
   */
  values?: {
    [k: string]: string | undefined;
  };
  /**
   * What to do with a value the `values` table lacks: reject the row (default) or pass it on as written.
   */
  otherValues?: 'reject' | 'keep';
  /**
   * Separator of several values in one column; the field becomes a list.
   */
  split?: string;
  /**
   * An empty column leaves the field out instead of rejecting the row.
   */
  optional?: boolean;
}

// urn:tracehub:schema:config:hub
/**
 * Hub-wide settings (config/hub.json). Secrets and service URLs never go here: they come from the environment.
 */
export interface HubConfig {
  /**
   * Trace request rules. A partner file may override the deadlines of requests addressed to that country.
   */
  traces: {
    /**
     * When the addressee must acknowledge and answer a request, per priority, counted from submission (the ITI fixes no number of days).
     */
    deadlines: {
      routine: TracePriorityDeadlines;
      urgent: TracePriorityDeadlines;
    };
    /**
     * Largest attachment (photo of markings, document) accepted.
     */
    attachmentMaxBytes: number;
    /**
     * How often the deadline task runs in any case; it also wakes at each due instant.
     */
    deadlineCheckSeconds: number;
  };
  /**
   * How the hub names itself as the sender of the messages it originates (receipts, notifications).
   */
  identity: {
    country: string;
    agency: string;
  };
  /**
   * Access of national entities, approved by their NCB on user agreements.
   */
  access?: {
    /**
     * How long before a user agreement runs out its NCB is reminded (30 when absent).
     */
    agreementReminderDays?: number;
  };
  /**
   * The Statistics and Reports module.
   */
  statistics?: {
    /**
     * In figures across countries shown to a country, a cell counting fewer cases than this is suppressed (5 when absent).
     */
    minimumCellCount?: number;
    /**
     * In figures across countries shown to a country, every count is rounded to a multiple of this, so that small counts cannot be had by difference (5 when absent; 1 publishes exact counts).
     */
    roundingBase?: number;
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
  /**
   * Limits on every message, whatever its format and channel.
   */
  messages?: {
    /**
     * How deeply a normalised message may nest objects and arrays (the envelope is level 1; the canonical messages need fewer than 10). Deeper ones are rejected at intake: PostgreSQL's JSON parser cannot take arbitrary depth.
     */
    maxDepth?: number;
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
     * Run the handlers in the transaction that stores a batch when the apply queue is idle, so each message is written once, already applied (default true). Only processes with the workers role do; anything that does not apply cleanly goes to the apply queue as usual.
     */
    applyAtIntake?: boolean;
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
    /**
     * First retry delay of a failed delivery; doubles on each attempt.
     */
    backoffMs: number;
    /**
     * Longest delay between two attempts of one delivery (default 10 minutes).
     */
    maxBackoffMs?: number;
    /**
     * Most deliveries handed to a channel at once for one partner (default 200; a channel may take fewer).
     */
    batchSize?: number;
    /**
     * How long one worker owns a partner's delivery lane before another may take it over (a crashed worker's lane is free again after this; default 120).
     */
    leaseSeconds?: number;
    /**
     * Per-partner circuit breaker: after failureThreshold consecutive rounds in which the partner's endpoint could not be reached, its deliveries are parked for openSeconds (doubling on each re-open, up to maxOpenSeconds), then one delivery probes the endpoint.
     */
    circuit?: {
      failureThreshold?: number;
      openSeconds?: number;
      maxOpenSeconds?: number;
    };
  };
  /**
   * The AMQP (RabbitMQ) channel. The broker URL and credentials come from AMQP_URL; partner queue names from config/partners.
   */
  amqp?: {
    /**
     * Unacknowledged messages a consumer holds per partner queue; they share ledger writes (default 500).
     */
    prefetch?: number;
    heartbeatSeconds?: number;
    /**
     * First delay before reconnecting after the broker went away; doubles up to reconnectMaxMs.
     */
    reconnectInitialMs?: number;
    reconnectMaxMs?: number;
    /**
     * How long start waits for the first connection before going on without it (it keeps reconnecting in the background).
     */
    startWaitMs?: number;
    /**
     * Exchange that receives messages rejected or dropped from the hub's queues; each queue has its own <queue>.dead queue behind it.
     */
    deadLetterExchange?: string;
    /**
     * Deliveries of one message to consumers after which the broker dead-letters it (quorum queue x-delivery-limit), so a message that crashes its consumer cannot loop forever.
     */
    deliveryLimit?: number;
    /**
     * Larger inbound messages are dead-lettered unread (default: http.bodyLimitBytes).
     */
    maxMessageBytes?: number;
    /**
     * How long an outbound publish waits for the broker's confirm before the delivery counts as failed.
     */
    confirmTimeoutMs?: number;
  };
  /**
   * Outbound webhooks (HTTPS POST, HMAC-SHA256 signed). Each partner's URL and the name of its secret's environment variable are in config/partners.
   */
  webhook?: {
    /**
     * Per request, connect to complete answer (default 10000).
     */
    timeoutMs?: number;
    /**
     * Deliveries posted one after another per round for one partner (default 20).
     */
    maxBatch?: number;
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
    /**
     * How long the audit log (searches, checks, access decisions, replays) is kept; 60 months when absent.
     */
    auditLogMonths?: number;
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
  /**
   * Seizure matching: score thresholds of the hit tiers and candidate limits (issue: seizures).
   */
  matching: {
    /**
     * A hit scoring at least this, with the make agreeing, is STRONG.
     */
    strongScore: number;
    /**
     * At least this is POSSIBLE; below it, down to minimumScore, WEAK.
     */
    possibleScore: number;
    /**
     * Candidates scoring less are not hits.
     */
    minimumScore: number;
    /**
     * Records read per seized firearm before scoring.
     */
    maxCandidates: number;
    /**
     * Hits kept per seized firearm, best first.
     */
    maxHitsPerItem: number;
    /**
     * A STRONG candidate within this score of another STRONG one for a different record is reported as POSSIBLE: the evidence cannot tell them apart.
     */
    ambiguityMargin?: number;
  };
}
/**
 * This interface was referenced by `HubConfig`'s JSON-Schema
 * via the `definition` "tracePriorityDeadlines".
 */
export interface TracePriorityDeadlines {
  acknowledge: TraceDeadlineRule;
  respond: TraceDeadlineRule;
}
/**
 * This interface was referenced by `HubConfig`'s JSON-Schema
 * via the `definition` "traceDeadlineRule".
 */
export interface TraceDeadlineRule {
  /**
   * Hours from submission to the due date.
   */
  withinHours: number;
  /**
   * How many hours before the due date the addressee is reminded; less than withinHours.
   */
  remindHoursBefore: number;
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
    /**
     * SFTP: which files in the inbox this format reads, by name pattern ('*.csv'; '*' matches any run of characters). Needed when the country sends several formats over SFTP; a file no pattern matches is moved to failed/ with a receipt saying so.
     *
     * @minItems 1
     */
    files?: string[];
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
   * The country's AMQP queues on the hub's RabbitMQ, for inbound channel "amqp" and replies.channel "amqp". Names default to tracehub.in.<CC> and tracehub.out.<CC>.
   */
  amqp?: {
    /**
     * Quorum queue the hub consumes; the country publishes to the fanout exchange of the same name.
     */
    inboundQueue?: string;
    /**
     * Quorum queue the hub publishes the country's replies to, and the country consumes.
     */
    outboundQueue?: string;
    /**
     * The agency whose messages arrive on the inbound queue (usually the NCB). When set, a message naming another sender agency is refused and duplicates are recognised by (agency, messageId) as well as by content; when absent the queue vouches for the country only.
     */
    agency?: string;
    /**
     * Overrides the hub's amqp.prefetch for this country's inbound queue.
     */
    prefetch?: number;
  };
  /**
   * Where replies.channel "webhook" posts: an HTTPS URL, signed with a secret that only the environment holds.
   */
  webhook?: {
    url: string;
    /**
     * Name of the environment variable holding the HMAC-SHA256 signing secret (never the secret itself).
     */
    secretEnv: string;
    timeoutMs?: number;
    /**
     * Extra request headers the partner's gateway needs (no secrets: those belong in the environment).
     */
    headers?: {
      [k: string]: string | undefined;
    };
  };
  /**
   * The country's SFTP drop, for inbound channel "sftp" (the hub polls the inbox) and replies.channel "sftp" (the hub writes files to the outbox). Strings may name environment variables as ${NAME} or ${NAME:-default}: an endpoint whose variables are unset is not used on this machine (the hub says so at start). Secrets are never written here: privateKeyEnv and passwordEnv name the variables that hold them.
   */
  sftp?: {
    host: string;
    /**
     * TCP port (default 22), or a string naming an environment variable.
     */
    port?: number | string;
    user: string;
    /**
     * Name of the environment variable holding the private key (OpenSSH or PEM text) or the path of the key file.
     */
    privateKeyEnv?: string;
    /**
     * Name of the environment variable holding the password, for servers without key authentication.
     */
    passwordEnv?: string;
    /**
     * The server's host key fingerprint as ssh-keygen -l -E sha256 prints it (SHA256:...). Connections to a server presenting another key are refused. Empty: not checked (a warning at start).
     */
    hostKeySha256?: string;
    /**
     * The agency the files come from; the country's NCB when absent.
     */
    agency?: string;
    /**
     * Directories on the server; relative paths start at the login directory. processing, processed and failed default to siblings of the inbox.
     */
    paths: {
      inbox: string;
      outbox: string;
      processing?: string;
      processed?: string;
      failed?: string;
    };
    /**
     * How the partner marks a file as complete. done-file: the file X is taken once X<doneSuffix> exists beside it. rename: the partner writes under a temporary name (ending in one of tempSuffixes, or starting with a dot) and renames it when complete.
     */
    completion?: {
      convention: 'done-file' | 'rename';
      doneSuffix?: string;
      tempSuffixes?: string[];
    };
    pollIntervalSeconds?: number;
    /**
     * Most messages the hub writes into one outbox file.
     */
    outboundBatchMessages?: number;
  };
  /**
   * Deadlines of trace requests addressed to this country, where they differ from the hub's (per priority; each rule given replaces the hub's).
   */
  traces?: {
    deadlines?: {
      routine?: {
        acknowledge?: TraceDeadlineRule;
        respond?: TraceDeadlineRule;
      };
      urgent?: {
        acknowledge?: TraceDeadlineRule;
        respond?: TraceDeadlineRule;
      };
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

// urn:tracehub:schema:agency.agreement-due
/**
 * Sent to a country's NCB before the user agreement of one of its agencies runs out, and once more when it has: renew it (POST /v1/agencies/{id}/approval) or let the agency's access end.
 */
export interface AgencyAgreementDue {
  agencyId: string;
  /**
   * The agency's code
   */
  agency: string;
  name: string;
  agreementReference: string;
  /**
   * Last day the agreement covers
   */
  validUntil: string;
  /**
   * True once the agreement has run out and the agency is refused
   */
  expired: boolean;
}

// urn:tracehub:schema:hit.decided
/**
 * Sent to both countries when the record owner confirms or rejects a hit.
 */
export interface HitDecided {
  hitId: string;
  decision: 'CONFIRMED' | 'REJECTED';
  reason?: string;
  decidedBy: {
    country: string;
    agency: string;
  };
  decidedAt: string;
  seizureId: string;
  seizureReference?: string;
  recordOwnerCountry: string;
  /**
   * Only to parties that may see the record.
   */
  recordId?: string;
  /**
   * The record's status after the decision (LOCATED after a confirmation).
   */
  recordStatus?: string;
}

// urn:tracehub:schema:hit.decision
/**
 * The record owner confirms or rejects a hit after comparing the seized firearm with its record. A confirmed hit moves the record to LOCATED; both countries are told either way.
 */
export interface HitDecision {
  hitId: string;
  decision: 'CONFIRMED' | 'REJECTED';
  /**
   * Why; required when rejecting.
   */
  reason?: string;
}

// urn:tracehub:schema:hit.notification
/**
 * A seized firearm may be a recorded one. The record's owner receives the full seizure; the seizing agency receives the record within the owner's restrictions, or, for a record it may not see, only which country to contact. A hit is a potential match until the owner confirms it.
 */
export interface HitNotification {
  hitId: string;
  /**
   * Whom this copy is for.
   */
  audience: 'record-owner' | 'seizing-agency';
  status: 'PENDING_CONFIRMATION';
  tier: 'STRONG' | 'POSSIBLE' | 'WEAK';
  score: number;
  serialTier: 'EXACT' | 'NORMALISED' | 'FUZZY' | 'PARTIAL';
  explanation: string[];
  /**
   * 'seizure' when the seizure was matched against records; 'record' when a new or changed record was matched against past seizures.
   */
  foundBy?: 'seizure' | 'record';
  /**
   * The seizing side. The record owner gets the full report; the seizing agency gets its own references back.
   */
  seizure: {
    id: string;
    country: string;
    agency: string;
    seizureReference: string;
    itemIndex: number;
    itemReference?: string;
    date?: string;
    /**
     * The whole seizure report as received (record owner only).
     */
    report?: {};
    firearm?: {};
  };
  /**
   * The record, when its restrictions let the seizing agency see it (and always for the owner).
   */
  record?: {
    id: string;
    ownerCountry: string;
    ownerAgency?: string;
    ownerReference: string;
    status: string;
    firearm?: {};
    event?: {};
    confidentiality?: string;
  };
  /**
   * Instead of the record, for a seizing agency that may not see it.
   */
  restricted?: {
    ownerCountry: string;
    /**
     * The owner country's National Central Bureau.
     */
    contact?: string;
    message: string;
  };
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

// urn:tracehub:schema:seizure.report
/**
 * A customs or police agency reports one or more seized firearms. The hub matches each against the stored records and notifies the record's owner and the seizing agency of every hit.
 */
export interface SeizureReport {
  /**
   * The seizing agency's case reference; unique within the seizing country.
   */
  seizureReference: string;
  date: string;
  place: {
    /**
     * Where the firearm was seized (WCO CEN location types).
     */
    type: 'inland' | 'land-border' | 'airport' | 'seaport' | 'postal';
    /**
     * Defaults to the seizing country.
     */
    country?: string;
    locality?: string;
    /**
     * Customs office or police unit.
     */
    office?: string;
  };
  /**
   * For customs seizures: the direction of the movement.
   */
  direction?: 'import' | 'export' | 'transit';
  /**
   * The legal justification for the seizure (national law, article).
   */
  legalBasis: string;
  /**
   * What the seizure is connected to: trafficking, armed robbery, organised crime...
   */
  criminalContext?: string;
  detectionMethod?: 'risk-profiling' | 'x-ray' | 'dog' | 'random' | 'intelligence' | 'other';
  route?: {
    departure?: string;
    /**
     * @maxItems 20
     */
    transit?: string[];
    destination?: string;
  };
  /**
   * @minItems 1
   * @maxItems 200
   */
  firearms: SeizedFirearm[];
}
export interface SeizedFirearm {
  /**
   * The seizing agency's exhibit number.
   */
  itemReference?: string;
  description: FirearmDescription;
}

// urn:tracehub:schema:statistics.report
/**
 * A scheduled statistics table, sent to the subscribing agency over its reply channel once each month, quarter or year has ended (POST /v1/statistics-subscriptions). The table is what GET /v1/{subject}/statistics answers for the period.
 */
export type StatisticsReport = {
  subscriptionId: string;
  name: string;
  period: {
    /**
     * 2026-10, 2026-Q3 or 2026
     */
    label: string;
    from: string;
    /**
     * Last day of the period
     */
    to: string;
  };
  /**
   * Instead of the table, when the period's table could not be made (e.g. statistics.too-many-cells): change the subscription.
   */
  refused?: {
    code: string;
    detail: string;
  };
  table?: StatisticsReportTable;
} & {
  [k: string]: unknown | undefined;
};

export interface StatisticsReportTable {
  subject: 'records' | 'seizures' | 'hits';
  scope: 'national' | 'global';
  country: string | null;
  period?: {};
  groupBy: string[];
  filters: {
    [k: string]: string[] | undefined;
  };
  measures: string[];
  /**
   * Null when the total itself is suppressed.
   */
  total: {
    [k: string]: number | undefined;
  } | null;
  cells: StatisticsReportCell[];
  suppression: {} | null;
  /**
   * Names of the reference ids in the cells, by dimension (make, calibre, type).
   */
  labels?: {
    [k: string]:
      | {
          [k: string]: string | undefined;
        }
      | undefined;
  };
  notes: string[];
}
export interface StatisticsReportCell {
  key: {
    [k: string]: string | null | undefined;
  };
  /**
   * A count per measure.
   */
  [k: string]:
    | number
    | {
        [k: string]: string | null | undefined;
      }
    | undefined;
}

// urn:tracehub:schema:trace.comment
/**
 * A comment on a trace request by either side (a question, further information, a photo); comments form the request's thread and do not change its status.
 */
export interface TraceComment {
  traceId?: string;
  requestReference?: string;
  text: string;
  /**
   * @maxItems 20
   */
  attachments?: TraceAttachmentRef[];
}

// urn:tracehub:schema:trace.commented
/**
 * Sent to the other side of a trace request: a comment in its thread.
 */
export interface TraceCommented {
  traceId: string;
  requestReference: string;
  commentId: string;
  by: Party;
  role: 'requester' | 'addressee';
  at: string;
  text: string;
  attachments: TraceAttachment[];
}

// urn:tracehub:schema:trace.deadline
/**
 * A due date of a trace request is near (reminder, sent to the addressee) or has passed with the obligation unmet (overdue, sent to both sides).
 */
export interface TraceDeadline {
  traceId: string;
  requestReference: string;
  deadline: 'acknowledgement' | 'response';
  phase: 'reminder' | 'overdue';
  dueAt: string;
  status: TraceStatus;
  priority: 'routine' | 'urgent';
  requester: Party;
  addressedTo: TraceAddressee;
}

// urn:tracehub:schema:trace.follow-up
/**
 * Sent to the addressee of a trace request whose response named a holder in another country: the requester has asked that country in a linked follow-up request.
 */
export interface TraceFollowUp {
  traceId: string;
  requestReference: string;
  followUpTraceId: string;
  followUpRequestReference: string;
  followUpAddressedTo: TraceAddressee;
  by: Party;
  at: string;
}

// urn:tracehub:schema:trace.request
/**
 * An international trace request: the requesting country (the sender) asks the addressed country, usually the country of manufacture or of last legal import, to trace a recovered firearm. Carries what the International Tracing Instrument (section V) requires: why the weapon is illicit and how it was recovered, its markings, type and calibre (the firearm description), and the intended use of the information. A request, once sent, is not changed: further information goes in comments.
 */
export interface TraceRequest {
  /**
   * The requester's own id for the request; unique within the requesting country. Sending the same reference with the same content again changes nothing.
   */
  requestReference: string;
  addressedTo: TraceAddressee;
  firearm: FirearmDescription;
  illicitNature: TraceIllicitNature;
  recovery: TraceRecovery;
  /**
   * What the information sought will be used for (ITI para 17 c); the answer may be used for this purpose only.
   */
  intendedUse: string;
  priority: 'routine' | 'urgent';
  /**
   * Why the request is urgent; required when priority is urgent.
   */
  urgentJustification?: string;
  /**
   * The offence under investigation, as an NCIC offence code or a category (homicide, armed robbery, drug trafficking, firearms trafficking, ...).
   */
  crimeCategory: string;
  /**
   * The national case number.
   */
  caseReference: string;
  contact?: TraceContact;
  specialInstructions?: string;
  /**
   * Photographs of the markings and other files, uploaded beforehand (POST /v1/trace-attachments) and referenced by their SHA-256.
   *
   * @maxItems 20
   */
  attachments?: TraceAttachmentRef[];
  /**
   * The hub id of an earlier trace request of the same requester whose response named this country (e.g. an importer); links the two.
   */
  followUpOf?: string;
  /**
   * The seizure this request traces, when it comes from one.
   */
  seizureReference?: string;
}
/**
 * This interface was referenced by `TraceRequest`'s JSON-Schema
 * via the `definition` "addressee".
 */
export interface TraceAddressee {
  country: string;
  /**
   * The agency addressed, if known; otherwise the country's National Central Bureau handles the request.
   */
  agency?: string;
  /**
   * Why this country is asked.
   */
  as?: 'country-of-manufacture' | 'country-of-last-legal-import' | 'other';
}
/**
 * Why the firearm is illicit and the legal justification for the request (ITI para 17 a).
 *
 * This interface was referenced by `TraceRequest`'s JSON-Schema
 * via the `definition` "illicitNature".
 */
export interface TraceIllicitNature {
  basis: 'national-law' | 'un-embargo' | 'unmarked' | 'unlicensed-manufacture' | 'unlicensed-transfer';
  legalJustification: string;
}
/**
 * When, where and how the firearm was found or seized.
 *
 * This interface was referenced by `TraceRequest`'s JSON-Schema
 * via the `definition` "recovery".
 */
export interface TraceRecovery {
  date: string;
  place?: {
    country?: string;
    locality?: string;
    description?: string;
  };
  circumstances: string;
}
/**
 * The officer to contact about the request.
 *
 * This interface was referenced by `TraceRequest`'s JSON-Schema
 * via the `definition` "contact".
 */
export interface TraceContact {
  name: string;
  email?: string;
  phone?: string;
}
/**
 * This interface was referenced by `TraceRequest`'s JSON-Schema
 * via the `definition` "attachmentRef".
 */
export interface TraceAttachmentRef {
  /**
   * Hex SHA-256 of the uploaded file.
   */
  sha256: string;
  caption?: string;
}

// urn:tracehub:schema:trace.requested
/**
 * This interface was referenced by `TraceRequested`'s JSON-Schema
 * via the `definition` "status".
 */
export type TraceStatus =
  'SUBMITTED' | 'DELIVERED' | 'ACKNOWLEDGED' | 'IN_PROGRESS' | 'RESPONDED' | 'CLOSED' | 'CANCELLED' | 'REJECTED';
/**
 * This interface was referenced by `TraceRequested`'s JSON-Schema
 * via the `definition` "deadlineState".
 */
export type TraceDeadlineState = 'pending' | 'met' | 'late' | 'overdue' | 'moot';

/**
 * Sent to the addressed country (its named agency, or its National Central Bureau): a trace request for it to acknowledge and answer, with the hub's id to use in every later message about it, the due dates, and the attachments by reference.
 */
export interface TraceRequested {
  traceId: string;
  requestReference: string;
  status: TraceStatus;
  requester: Party;
  addressedTo: TraceAddressee;
  submittedAt: string;
  deadlines: TraceDeadlines;
  firearm: FirearmDescription;
  illicitNature: TraceIllicitNature;
  recovery: TraceRecovery;
  intendedUse: string;
  priority: 'routine' | 'urgent';
  urgentJustification?: string;
  crimeCategory: string;
  caseReference: string;
  contact?: TraceContact;
  specialInstructions?: string;
  attachments: TraceAttachment[];
  followUpOf?: string;
  seizureReference?: string;
}
/**
 * When the addressee must acknowledge and answer, and where each obligation stands: pending, met, met late, or overdue (past due and still not met).
 *
 * This interface was referenced by `TraceRequested`'s JSON-Schema
 * via the `definition` "deadlines".
 */
export interface TraceDeadlines {
  acknowledgeBy: string;
  respondBy: string;
  acknowledgement: TraceDeadlineState;
  response: TraceDeadlineState;
  /**
   * Flagged by the hub when a due date passes with its obligation unmet; cleared once met.
   */
  overdue: boolean;
}
/**
 * A file stored once at the hub, fetched by reference (GET href with the recipient's API key).
 *
 * This interface was referenced by `TraceRequested`'s JSON-Schema
 * via the `definition` "attachment".
 */
export interface TraceAttachment {
  sha256: string;
  contentType: string;
  size: number;
  caption?: string;
  href: string;
}

// urn:tracehub:schema:trace.responded
/**
 * Sent to the requester: the addressee's answer (ISACS 05.31 structure), with its attachments by reference.
 */
export interface TraceResponded {
  traceId: string;
  requestReference: string;
  /**
   * The hub's id of this response in the request's thread.
   */
  responseId: string;
  responseReference?: string;
  by: Party;
  at: string;
  outcome: TraceOutcome;
  notCompletedReason?: TraceNotCompletedReason;
  refusalGrounds?: TraceRefusalGrounds;
  explanation?: string;
  chainOfCustody: TraceCustodyHop[];
  pointOfDiversion?: TracePointOfDiversion;
  restrictions?: TraceUseRestrictions;
  attachments: TraceAttachment[];
}

// urn:tracehub:schema:trace.response
/**
 * The addressee's answer to a trace request, following ISACS 05.31: the chain of custody from manufacture or import to the last legal holder, each hop with its documents and dates, the point of diversion (identified or not), and any restriction on the use of the answer. A trace that could not be completed says why. A later response (e.g. COMPLETED after PARTIAL) supersedes the earlier one's outcome; both stay in the thread.
 */
export type TraceResponse = {
  traceId: string;
  /**
   * The addressee's own reference for its answer.
   */
  responseReference?: string;
  outcome: TraceOutcome;
  notCompletedReason?: TraceNotCompletedReason;
  refusalGrounds?: TraceRefusalGrounds;
  /**
   * Free-text detail of the outcome or of the reason.
   */
  explanation?: string;
  /**
   * The hops, in order from manufacture or import towards the last legal holder.
   *
   * @maxItems 50
   */
  chainOfCustody?: TraceCustodyHop[];
  pointOfDiversion?: TracePointOfDiversion;
  restrictions?: TraceUseRestrictions;
  /**
   * @maxItems 20
   */
  attachments?: TraceAttachmentRef[];
};
/**
 * COMPLETED: traced to the last legal holder; PARTIAL: part of the chain is known; NOT_COMPLETED: could not be traced (see notCompletedReason).
 *
 * This interface was referenced by `undefined`'s JSON-Schema
 * via the `definition` "outcome".
 */
export type TraceOutcome = 'COMPLETED' | 'PARTIAL' | 'NOT_COMPLETED';
/**
 * Why a trace could not be completed: too old (records no longer kept, or made before 1946), a serial problem (obliterated, misread, not in the records), no record of the firearm, records unavailable, refused (with grounds), a fault in the request, or other.
 *
 * This interface was referenced by `undefined`'s JSON-Schema
 * via the `definition` "notCompletedReason".
 */
export type TraceNotCompletedReason =
  'TOO_OLD' | 'SERIAL_PROBLEM' | 'NO_RECORD' | 'RECORD_UNAVAILABLE' | 'REFUSED' | 'SUBMISSION_ERROR' | 'OTHER';

/**
 * Why the answer is withheld (ITI para 24: confidentiality, national security, an ongoing investigation).
 *
 * This interface was referenced by `undefined`'s JSON-Schema
 * via the `definition` "refusalGrounds".
 */
export interface TraceRefusalGrounds {
  basis: 'confidentiality' | 'national-security' | 'ongoing-investigation' | 'legal-prohibition' | 'other';
  detail: string;
}
/**
 * This interface was referenced by `undefined`'s JSON-Schema
 * via the `definition` "custodyHop".
 */
export interface TraceCustodyHop {
  role:
    | 'manufacturer'
    | 'exporter'
    | 'importer'
    | 'distributor'
    | 'dealer'
    | 'last-legal-holder'
    | 'state-stockpile'
    | 'other';
  name: string;
  country: string;
  address?: string;
  /**
   * The holder's licence or registration number.
   */
  licence?: string;
  receivedOn?: string;
  transferredOn?: string;
  /**
   * @maxItems 20
   */
  documents?: TraceCustodyDocument[];
  notes?: string;
}
export interface TraceCustodyDocument {
  kind:
    | 'export-licence'
    | 'import-permit'
    | 'end-user-certificate'
    | 'transit-permit'
    | 'sale-record'
    | 'transfer-record'
    | 'other';
  reference: string;
  issuedBy?: string;
  date?: string;
}
/**
 * Where and when the firearm left legal hands, if that could be established.
 *
 * This interface was referenced by `undefined`'s JSON-Schema
 * via the `definition` "pointOfDiversion".
 */
export interface TracePointOfDiversion {
  identified: boolean;
  /**
   * Index (0-based) in chainOfCustody of the last legal hop before the diversion.
   */
  afterHop?: number;
  country?: string;
  date?: string;
  description?: string;
}
/**
 * Conditions the requester must respect when using the answer.
 *
 * This interface was referenced by `undefined`'s JSON-Schema
 * via the `definition` "useRestrictions".
 */
export interface TraceUseRestrictions {
  /**
   * The answer may be used for the request's stated purpose only.
   */
  purposeOnly?: boolean;
  /**
   * Not to be passed on to other states or agencies without consent.
   */
  noFurtherDissemination?: boolean;
  confidentiality?: 'official-use' | 'restricted' | 'confidential';
  conditions?: string;
}

// urn:tracehub:schema:trace.status-changed
/**
 * Sent to the other side of a trace request when its status changes: delivered (by the hub), acknowledged, in progress, rejected, cancelled or closed.
 */
export interface TraceStatusChanged {
  traceId: string;
  requestReference: string;
  from: TraceStatus;
  to: TraceStatus;
  by: Party;
  role: 'requester' | 'addressee' | 'hub';
  at: string;
  reasonCode?: string;
  reason?: string;
  deadlines: TraceDeadlines;
}

// urn:tracehub:schema:trace.status
/**
 * Moves a trace request on. The addressee acknowledges it (ACKNOWLEDGED), starts work (IN_PROGRESS) or rejects it with a reason (REJECTED); the requester closes it once answered (CLOSED) or cancels it with a reason (CANCELLED). The answer itself is a trace.response. Name the request by the hub's traceId, or (the requester only) by its own requestReference.
 */
export type TraceStatusUpdate = {
  traceId?: string;
  requestReference?: string;
  status: 'ACKNOWLEDGED' | 'IN_PROGRESS' | 'CLOSED' | 'CANCELLED' | 'REJECTED';
  /**
   * For a rejection: why the addressee will not trace the firearm.
   */
  reasonCode?: 'insufficient-information' | 'not-competent' | 'outside-scope' | 'duplicate' | 'refused' | 'other';
  /**
   * Required to reject or cancel.
   */
  reason?: string;
};
