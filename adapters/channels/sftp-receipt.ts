import type { Kysely } from 'kysely';
import type { Database } from '../../src/db/database-types.js';
import type { FieldError } from '../../src/messages/generated-types.js';
import { getFile, rejectionsPage, type SftpFileRow } from './sftp-file-store.js';

/**
 * The receipt the hub puts in a partner's outbox for every file it took: what the file was
 * (name, size, sha256), what became of it (processed, failed, or a duplicate of an earlier file),
 * how many messages it held, how many were accepted, rejected or already known, and each rejected
 * row or element with its line and every error, naming the field as the partner wrote it.
 *
 * It is JSON, streamed: the rejections are read from the database a page at a time, so a file
 * with a million bad rows gets its full receipt without the hub holding it.
 */
export const RECEIPT_KIND = 'tracehub.sftp-receipt/1';

export function receiptNames(file: Pick<SftpFileRow, 'name' | 'id'>): string[] {
  return [`${file.name}.receipt.json`, `${file.name}.${file.id}.receipt.json`];
}

export async function* receiptJson(db: Kysely<Database>, fileId: string): AsyncGenerator<string> {
  const file = await getFile(db, fileId);
  if (!file) throw new Error(`no SFTP file ${fileId}`);
  const original = file.duplicate_of ? await getFile(db, file.duplicate_of) : undefined;
  const outcome = file.status === 'duplicate' ? 'duplicate' : file.status === 'failed' ? 'failed' : 'processed';
  const head = {
    receipt: RECEIPT_KIND,
    file: file.name,
    fileId: file.id,
    bytes: file.size_bytes === null ? null : Number(file.size_bytes),
    sha256: file.sha256?.toString('hex') ?? null,
    format: file.format,
    receivedAt: file.received_at.toISOString(),
    finishedAt: (file.finished_at ?? new Date()).toISOString(),
    outcome,
    ...(original
      ? { duplicateOf: { fileId: original.id, file: original.name, receivedAt: original.received_at.toISOString(), outcome: original.status }, note: 'the same bytes were received before from this country; nothing was applied again' }
      : {}),
    ...(file.error ? { error: file.error } : {}),
    counts: original
      ? { messages: 0, accepted: 0, rejected: 0, duplicates: 0 }
      : { messages: file.messages, accepted: file.accepted, rejected: file.rejected, duplicates: file.duplicates },
  };
  const text = JSON.stringify(head, null, 2);
  yield `${text.slice(0, text.lastIndexOf('}')).trimEnd()},\n  "rejected": [`;
  let after = -1;
  let first = true;
  for (;;) {
    const page = await rejectionsPage(db, fileId, after, 1000);
    if (page.length === 0) break;
    let out = '';
    for (const r of page) {
      const item = {
        index: r.item_index,
        line: r.line,
        ...(r.message_id ? { messageId: r.message_id } : {}),
        ...(r.ledger_id ? { ledgerId: r.ledger_id } : {}),
        errors: (r.errors as FieldError[]).map((e) => ({ ...(e.source ? { field: e.source } : {}), ...(e.pointer ? { pointer: e.pointer } : {}), code: e.code, message: e.message })),
      };
      out += `${first ? '' : ','}\n    ${JSON.stringify(item)}`;
      first = false;
    }
    yield out;
    after = page[page.length - 1]!.item_index;
  }
  yield `${first ? '' : '\n  '}]\n}\n`;
}
