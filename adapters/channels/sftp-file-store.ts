import { sql, type ExpressionBuilder, type Kysely, type Selectable } from 'kysely';
import type { Database, SftpFilesTable, SftpFileStatus } from '../../src/db/database-types.js';
import type { FieldError } from '../../src/messages/generated-types.js';

/**
 * The SFTP channel's own tables (migration 0007): files as received, their bytes in chunks,
 * and the items of each file that its receipt reports as rejected.
 */
export type SftpFileRow = Selectable<SftpFilesTable>;

export const CHUNK_BYTES = 1024 * 1024;

export interface FileRejection {
  index: number;
  line: number;
  ledgerId?: string;
  messageId?: string;
  errors: FieldError[];
}

export interface FileProgress {
  nextIndex: number;
  messages: number;
  accepted: number;
  rejected: number;
  duplicates: number;
}

export async function insertFile(db: Kysely<Database>, f: { id: string; country: string; endpoint: string; name: string; claimedPath: string; format: string | null }): Promise<void> {
  await db
    .insertInto('sftp_files')
    .values({ id: f.id, partner_country: f.country, endpoint: f.endpoint, name: f.name, claimed_path: f.claimedPath, format: f.format, status: 'receiving' })
    .onConflict((oc) => oc.column('id').doNothing())
    .execute();
}

export function getFile(db: Kysely<Database>, id: string): Promise<SftpFileRow | undefined> {
  return db.selectFrom('sftp_files').selectAll().where('id', '=', id).executeTakeFirst();
}

/** Files of an endpoint that a crash (or a lost lease) left unfinished, oldest first. */
export function unfinishedFiles(db: Kysely<Database>, endpoint: string): Promise<SftpFileRow[]> {
  return db
    .selectFrom('sftp_files')
    .selectAll()
    .where('endpoint', '=', endpoint)
    .where((eb) => eb.or([eb('status', 'in', ['receiving', 'received', 'splitting']), eb('receipt_sent_at', 'is', null), eb('moved_to', 'is', null)]))
    .orderBy('id')
    .execute();
}

export async function clearChunks(db: Kysely<Database>, fileId: string): Promise<void> {
  await db.deleteFrom('sftp_file_chunks').where('file_id', '=', fileId).execute();
}

export async function insertChunk(db: Kysely<Database>, fileId: string, seq: number, bytes: Buffer): Promise<void> {
  await db.insertInto('sftp_file_chunks').values({ file_id: fileId, seq, bytes }).execute();
}

/**
 * Marks a file stored. When the partner sent the same bytes before, the file becomes a duplicate
 * of that one (its chunks are dropped: the original keeps the same bytes) and the original is
 * returned. The unique index on (partner, sha256) settles a race between two stores.
 *
 * Only a file that was taken in can be an original. One that ended before a single message was
 * read from it (its name matched no format, it was empty) applied nothing, so the same bytes sent
 * again, usually as the partner's correction, must be read; the earlier file gives up its place
 * in the unique index (its sha256, already named in its receipt) to the new one.
 */
/** A finished file from which not one message was read. */
function notTakenIn(eb: ExpressionBuilder<Database, 'sftp_files'>) {
  return eb.and([eb('status', 'in', ['processed', 'failed']), eb('messages', '=', 0)]);
}

export async function finishStore(db: Kysely<Database>, file: { id: string; country: string }, size: number, sha256: Buffer): Promise<SftpFileRow | undefined> {
  const original = () =>
    db
      .selectFrom('sftp_files')
      .selectAll()
      .where('partner_country', '=', file.country)
      .where('sha256', '=', sha256)
      .where('duplicate_of', 'is', null)
      .where('id', '<>', file.id)
      .where((eb) => eb.not(notTakenIn(eb)))
      .executeTakeFirst();
  const markDuplicate = async (of: SftpFileRow) => {
    await db.transaction().execute(async (trx) => {
      await trx.updateTable('sftp_files').set({ status: 'duplicate', duplicate_of: of.id, size_bytes: String(size), sha256, stored_at: new Date(), finished_at: new Date() }).where('id', '=', file.id).execute();
      await trx.deleteFrom('sftp_file_chunks').where('file_id', '=', file.id).execute();
    });
    return of;
  };
  const before = await original();
  if (before) return markDuplicate(before);
  try {
    await db.transaction().execute(async (trx) => {
      await trx
        .updateTable('sftp_files')
        .set({ sha256: null })
        .where('partner_country', '=', file.country)
        .where('sha256', '=', sha256)
        .where('duplicate_of', 'is', null)
        .where('id', '<>', file.id)
        .where(notTakenIn)
        .execute();
      await trx.updateTable('sftp_files').set({ status: 'received', size_bytes: String(size), sha256, stored_at: new Date() }).where('id', '=', file.id).execute();
    });
    return undefined;
  } catch (err) {
    if ((err as { code?: string }).code !== '23505') throw err;
    const winner = await original();
    if (!winner) throw err;
    return markDuplicate(winner);
  }
}

/** The stored bytes in order, a few chunks per query, so memory holds only those. */
export async function* storedBytes(db: Kysely<Database>, fileId: string): AsyncGenerator<Buffer> {
  let next = 0;
  for (;;) {
    const rows = await db.selectFrom('sftp_file_chunks').select(['seq', 'bytes']).where('file_id', '=', fileId).where('seq', '>=', next).orderBy('seq').limit(4).execute();
    if (rows.length === 0) return;
    for (const r of rows) {
      if (r.seq !== next) throw new Error(`stored file ${fileId} lacks chunk ${next}`);
      next += 1;
      yield r.bytes;
    }
  }
}

export async function setStatus(db: Kysely<Database>, id: string, status: SftpFileStatus, error?: unknown): Promise<void> {
  const finished = status === 'processed' || status === 'failed' || status === 'duplicate';
  await db
    .updateTable('sftp_files')
    .set({ status, ...(error !== undefined ? { error: JSON.stringify(error) } : {}), ...(finished ? { finished_at: new Date() } : {}) })
    .where('id', '=', id)
    .execute();
}

/** One batch's outcome: its rejections and the file's counts, together, so a resume sees both or neither. */
export async function recordProgress(db: Kysely<Database>, id: string, progress: FileProgress, rejections: readonly FileRejection[]): Promise<void> {
  await db.transaction().execute(async (trx) => {
    if (rejections.length) {
      await sql`
        insert into sftp_file_rejections (file_id, item_index, line, ledger_id, message_id, errors)
        select ${id}::uuid, i, l, g, m, e::jsonb
        from unnest(${rejections.map((r) => r.index)}::int[], ${rejections.map((r) => r.line)}::int[], ${rejections.map((r) => r.ledgerId ?? null)}::uuid[],
                    ${rejections.map((r) => r.messageId ?? null)}::text[], ${rejections.map((r) => JSON.stringify(r.errors))}::text[]) as t(i, l, g, m, e)
        on conflict (file_id, item_index) do nothing`.execute(trx);
    }
    await trx
      .updateTable('sftp_files')
      .set({ next_index: progress.nextIndex, messages: progress.messages, accepted: progress.accepted, rejected: progress.rejected, duplicates: progress.duplicates })
      .where('id', '=', id)
      .execute();
  });
}

export async function rejectionsPage(db: Kysely<Database>, fileId: string, afterIndex: number, limit: number) {
  return db
    .selectFrom('sftp_file_rejections')
    .select(['item_index', 'line', 'ledger_id', 'message_id', 'errors'])
    .where('file_id', '=', fileId)
    .where('item_index', '>', afterIndex)
    .orderBy('item_index')
    .limit(limit)
    .execute();
}

export async function markReceiptSent(db: Kysely<Database>, id: string, receiptName: string): Promise<void> {
  await db.updateTable('sftp_files').set({ receipt_name: receiptName, receipt_sent_at: new Date() }).where('id', '=', id).execute();
}

export async function markMoved(db: Kysely<Database>, id: string, path: string): Promise<void> {
  await db.updateTable('sftp_files').set({ moved_to: path }).where('id', '=', id).execute();
}
