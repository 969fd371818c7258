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

export interface Database {
  records: RecordsTable;
  record_versions: RecordVersionsTable;
  reference_unmapped: ReferenceUnmappedTable;
  ledger_messages: LedgerMessagesTable;
  ledger_dedup: LedgerDedupTable;
  outbox: OutboxTable;
  agencies: AgenciesTable;
  api_keys: ApiKeysTable;
  partner_controls: PartnerControlsTable;
  audit_log: AuditLogTable;
  notices: NoticesTable;
}
