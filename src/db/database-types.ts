import type { ColumnType, Generated } from 'kysely';

/** Kysely's view of the hub's tables; the migrations in ./migrations are what create them. */

type Timestamp = ColumnType<Date, Date | string, Date | string>;
type Json = ColumnType<unknown, string, string>;
/** A timestamp the database fills in by default. */
type DefaultTimestamp = ColumnType<Date, Date | string | undefined, Date | string>;

export type MessageStatus = 'received' | 'validated' | 'applied' | 'rejected' | 'dead' | 'replayed';

export interface LedgerMessagesTable {
  id: string;
  retention_class: string;
  received_at: Timestamp;
  channel: string;
  format: string;
  content_type: string;
  sender_country: string | null;
  sender_agency: string | null;
  raw: Buffer;
  sha256: Buffer;
  size_bytes: number;
  message_id: string | null;
  type: string | null;
  correlation_id: string | null;
  sent_at: Timestamp | null;
  business_keys: string[];
  lineage: Json;
  envelope: Json | null;
  status: MessageStatus;
  errors: Json | null;
  attempts: Generated<number>;
  last_error: string | null;
  replay_of: string | null;
  file_id: string | null;
  file_index: number | null;
  updated_at: Timestamp;
}

export interface LedgerDedupTable {
  sender: string | null;
  message_id: string | null;
  sha256: Buffer;
  ledger_id: string;
  retention_class: string;
  received_at: Timestamp;
}

export type OutboxStatus = 'pending' | 'delivered' | 'acked' | 'failed' | 'dead';

export interface OutboxTable {
  id: string;
  source_ledger_id: string | null;
  correlation_id: string | null;
  recipient_country: string;
  recipient_agency: string | null;
  channel: string;
  format: string;
  type: string;
  envelope: Json;
  status: OutboxStatus;
  attempts: Generated<number>;
  last_error: string | null;
  next_attempt_at: Timestamp | null;
  created_at: DefaultTimestamp;
  delivered_at: Timestamp | null;
  acked_at: Timestamp | null;
  acked_by: string | null;
  /** Write order (migration 0006): conversations are delivered in it. */
  seq: Generated<string>;
  last_attempt_at: Timestamp | null;
}

export type AgencyRole = 'hub_admin' | 'ncb' | 'agency';

export interface AgenciesTable {
  id: string;
  country: string | null;
  code: string;
  name: string;
  role: AgencyRole;
  created_at: DefaultTimestamp;
  disabled_at: Timestamp | null;
  access_status: ColumnType<AccessStatus, AccessStatus | undefined, AccessStatus>;
  /** What an approved agency may use (identity/agency-access.ts); null for NCBs and hub admins. */
  access_scope: Json | null;
  access_until: ColumnType<string | null, string | null | undefined, string | null>;
  access_reason: string | null;
  access_changed_at: Timestamp | null;
}

export type AccessStatus = 'pending' | 'approved' | 'suspended' | 'revoked';

export interface AgencyAgreementsTable {
  id: string;
  agency_id: string;
  reference: string;
  signed_on: string;
  signed_by: string;
  valid_until: string;
  scope: Json;
  document_sha256: Buffer | null;
  approved_by: string;
  approved_at: DefaultTimestamp;
  ended_at: Timestamp | null;
  end_reason: 'renewed' | 'revoked' | null;
  reminded: ColumnType<'ahead' | 'expired' | null, 'ahead' | 'expired' | null | undefined, 'ahead' | 'expired' | null>;
}

export interface ApiKeysTable {
  id: string;
  agency_id: string;
  secret_hash: Buffer;
  label: string | null;
  created_at: DefaultTimestamp;
  revoked_at: Timestamp | null;
  last_used_at: Timestamp | null;
}

export interface PartnerControlsTable {
  country: string;
  paused: boolean;
  reason: string | null;
  changed_at: Timestamp;
  changed_by: string | null;
}

export interface AuditLogTable {
  id: Generated<string>;
  at: DefaultTimestamp;
  actor: string;
  action: string;
  target: string | null;
  detail: Json | null;
}

export interface StatisticsSubscriptionsTable {
  id: string;
  agency_id: string;
  country: string;
  agency: string;
  name: string;
  subject: 'records' | 'seizures' | 'hits';
  every: 'month' | 'quarter' | 'year';
  query: Json;
  last_period: string | null;
  created_at: DefaultTimestamp;
  cancelled_at: Timestamp | null;
}

export interface NoticesTable {
  id: Generated<string>;
  ledger_id: string;
  sender_country: string;
  sender_agency: string;
  subject: string;
  body: string;
  priority: string;
  recipients: Json;
  serials: string[];
  created_at: DefaultTimestamp;
}

export type RecordStatus = 'LOST' | 'STOLEN' | 'TRAFFICKED' | 'SMUGGLED' | 'SEIZED_FOR_TRACING' | 'LOCATED' | 'CLEARED' | 'CANCELLED';

export interface RecordsTable {
  id: string;
  owner_country: string;
  owner_agency: string;
  owner_reference: string;
  status: RecordStatus;
  version: number;
  serial: string;
  serial_key: string;
  match_keys: string[];
  make_text: string;
  make_id: string | null;
  model: string | null;
  calibre_text: string;
  calibre_id: string | null;
  type_text: string;
  type_id: string | null;
  ncic_typ: string | null;
  country_of_manufacture: string | null;
  event_date: ColumnType<Date, Date | string, Date | string>;
  event_country: string | null;
  case_number: string;
  firearm: Json;
  event: Json;
  visibility: 'all' | 'allow' | 'deny';
  visibility_countries: string[];
  confidentiality: string;
  review_date: ColumnType<Date, Date | string, Date | string>;
  review_reminded_at: Timestamp | null;
  review_overdue: Generated<boolean>;
  content_hash: Buffer;
  created_at: DefaultTimestamp;
  updated_at: DefaultTimestamp;
  last_ledger_id: string | null;
}

export interface RecordVersionsTable {
  record_id: string;
  version: number;
  status: string;
  ledger_id: string | null;
  agency: string;
  at: DefaultTimestamp;
  change: string;
  snapshot: Json;
}

export interface ReferenceUnmappedTable {
  kind: string;
  value: string;
  occurrences: Generated<number>;
  first_seen: DefaultTimestamp;
  last_seen: DefaultTimestamp;
}

export type HitStatus = 'PENDING_CONFIRMATION' | 'CONFIRMED' | 'REJECTED';
export type HitTier = 'STRONG' | 'POSSIBLE' | 'WEAK';
export type SerialTier = 'EXACT' | 'NORMALISED' | 'FUZZY' | 'PARTIAL';

export interface SeizuresTable {
  id: string;
  ledger_id: string;
  country: string;
  agency: string;
  seizure_reference: string;
  seized_on: ColumnType<Date, Date | string, Date | string>;
  place_type: string;
  direction: string | null;
  report: Json;
  created_at: DefaultTimestamp;
}

export interface SeizureItemsTable {
  id: string;
  seizure_id: string;
  item_index: number;
  item_reference: string | null;
  serial: string;
  serial_key: string;
  serial_pattern: string | null;
  query_keys: string[];
  make_id: string | null;
  calibre_id: string | null;
  type_id: string | null;
  firearm: Json;
}

export interface HitsTable {
  id: string;
  seizure_item_id: string;
  seizure_id: string;
  record_id: string;
  record_owner_country: string;
  seizing_country: string;
  found_by: 'seizure' | 'record';
  tier: HitTier;
  score: number;
  serial_tier: SerialTier;
  explanation: Json;
  status: Generated<HitStatus>;
  decided_by: string | null;
  decided_at: Timestamp | null;
  decision_reason: string | null;
  created_at: DefaultTimestamp;
}

export type CircuitState = 'closed' | 'open' | 'half_open';

/** Per (channel, recipient country): the delivery lease and the partner's circuit breaker (0006). */
export interface DeliveryLanesTable {
  channel: string;
  country: string;
  lease_owner: string | null;
  lease_until: Timestamp | null;
  circuit: Generated<CircuitState>;
  failures: Generated<number>;
  opens: Generated<number>;
  opened_at: Timestamp | null;
  retry_at: Timestamp | null;
  last_error: string | null;
  last_failure_at: Timestamp | null;
  last_success_at: Timestamp | null;
  updated_at: DefaultTimestamp;
}

export type SftpFileStatus = 'receiving' | 'received' | 'splitting' | 'processed' | 'failed' | 'duplicate';

/** A file taken from a partner's SFTP drop (migration 0007). */
export interface SftpFilesTable {
  id: string;
  partner_country: string;
  endpoint: string;
  name: string;
  claimed_path: string;
  format: string | null;
  status: SftpFileStatus;
  size_bytes: string | null;
  sha256: Buffer | null;
  duplicate_of: string | null;
  next_index: Generated<number>;
  messages: Generated<number>;
  accepted: Generated<number>;
  rejected: Generated<number>;
  duplicates: Generated<number>;
  error: Json | null;
  receipt_name: string | null;
  moved_to: string | null;
  received_at: DefaultTimestamp;
  stored_at: Timestamp | null;
  finished_at: Timestamp | null;
  receipt_sent_at: Timestamp | null;
}

export interface SftpFileChunksTable {
  file_id: string;
  seq: number;
  bytes: Buffer;
}

export interface SftpFileRejectionsTable {
  file_id: string;
  item_index: number;
  line: number;
  ledger_id: string | null;
  message_id: string | null;
  errors: Json;
}

export type TraceRequestStatus = 'SUBMITTED' | 'DELIVERED' | 'ACKNOWLEDGED' | 'IN_PROGRESS' | 'RESPONDED' | 'CLOSED' | 'CANCELLED' | 'REJECTED';
export type TraceEventKind = 'submitted' | 'status' | 'response' | 'comment' | 'reminder' | 'overdue' | 'follow-up';

/** Trace requests (migration 0005): the request's current state, due dates and filter columns. */
export interface TraceRequestsTable {
  id: string;
  requester_country: string;
  requester_agency: string;
  request_reference: string;
  addressed_country: string;
  addressed_agency: string | null;
  addressed_as: string | null;
  status: TraceRequestStatus;
  priority: 'routine' | 'urgent';
  crime_category: string;
  case_reference: string;
  serial: string;
  serial_keys: string[];
  make: string;
  model: string | null;
  calibre: string;
  firearm_type: string;
  country_of_manufacture: string | null;
  request: Json;
  content_hash: Buffer;
  follow_up_of: string | null;
  seizure_reference: string | null;
  outcome: 'COMPLETED' | 'PARTIAL' | 'NOT_COMPLETED' | null;
  not_completed_reason: string | null;
  correlation_id: string | null;
  ledger_id: string;
  submitted_at: Timestamp;
  delivered_at: Timestamp | null;
  acknowledged_at: Timestamp | null;
  in_progress_at: Timestamp | null;
  responded_at: Timestamp | null;
  last_response_at: Timestamp | null;
  finished_at: Timestamp | null;
  ack_due_at: Timestamp;
  ack_remind_at: Timestamp;
  response_due_at: Timestamp;
  response_remind_at: Timestamp;
  ack_reminded_at: Timestamp | null;
  response_reminded_at: Timestamp | null;
  ack_overdue_at: Timestamp | null;
  response_overdue_at: Timestamp | null;
  overdue: Generated<boolean>;
  event_count: Generated<number>;
  updated_at: Timestamp;
}

/** The thread of a trace request: every status change, response, comment, reminder and flag. */
export interface TraceEventsTable {
  id: string;
  trace_id: string;
  seq: number;
  at: Timestamp;
  kind: TraceEventKind;
  party: 'requester' | 'addressee' | 'hub';
  actor_country: string;
  actor_agency: string;
  from_status: TraceRequestStatus | null;
  to_status: TraceRequestStatus | null;
  body: Json;
  ledger_id: string | null;
}

/** Attachment files, stored once per content. */
export interface TraceAttachmentsTable {
  sha256: Buffer;
  content_type: string;
  size_bytes: number;
  content: Buffer;
  uploaded_by: string[];
  created_at: DefaultTimestamp;
}

export interface TraceAttachmentLinksTable {
  event_id: string;
  sha256: Buffer;
  trace_id: string;
  position: number;
  caption: string | null;
}

export interface Database {
  records: RecordsTable;
  record_versions: RecordVersionsTable;
  reference_unmapped: ReferenceUnmappedTable;
  ledger_messages: LedgerMessagesTable;
  ledger_dedup: LedgerDedupTable;
  outbox: OutboxTable;
  delivery_lanes: DeliveryLanesTable;
  agencies: AgenciesTable;
  api_keys: ApiKeysTable;
  agency_agreements: AgencyAgreementsTable;
  partner_controls: PartnerControlsTable;
  audit_log: AuditLogTable;
  statistics_subscriptions: StatisticsSubscriptionsTable;
  notices: NoticesTable;
  seizures: SeizuresTable;
  seizure_items: SeizureItemsTable;
  hits: HitsTable;
  sftp_files: SftpFilesTable;
  sftp_file_chunks: SftpFileChunksTable;
  sftp_file_rejections: SftpFileRejectionsTable;
  trace_requests: TraceRequestsTable;
  trace_events: TraceEventsTable;
  trace_attachments: TraceAttachmentsTable;
  trace_attachment_links: TraceAttachmentLinksTable;
}
