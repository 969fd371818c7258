import { createHash } from 'node:crypto';
import { posix } from 'node:path';
import type { Kysely } from 'kysely';
import type { Logger } from 'pino';
import type { Database } from '../../src/db/database-types.js';
import type { IntakeResult, IntakeService, Submission } from '../../src/intake/intake-service.js';
import type { FieldError } from '../../src/messages/generated-types.js';
import type { FormatAdapter } from '../formats/format-adapter.js';
import { splitFile } from '../streams/file-splitter.js';
import type { FramedMessage } from '../streams/framed-item.js';
import { formatForFile, type SftpEndpoint } from './sftp-endpoint.js';
import {
  CHUNK_BYTES,
  clearChunks,
  finishStore,
  getFile,
  insertChunk,
  markMoved,
  markReceiptSent,
  recordProgress,
  setStatus,
  storedBytes,
  type FileProgress,
  type FileRejection,
  type SftpFileRow,
} from './sftp-file-store.js';
import { receiptJson, receiptNames } from './sftp-receipt.js';
import { SFTP_NO_SUCH_FILE, type SftpError, type SftpSession } from './sftp-session.js';

/**
 * What happens to one file taken from a partner's inbox, in steps that each leave the database
 * saying how far the file got, so that a crash or a lost lease at any point is resumed by
 * whichever hub instance polls the endpoint next:
 *
 * 1. store: the bytes are streamed from the server into the database with their sha256; the
 *    same bytes sent again by the same partner are recognised here and go no further;
 * 2. split: the stored bytes are streamed back through the format's splitter, and the messages
 *    are handed to intake in batches (awaiting each, so reading never outruns the ledger); each
 *    batch's outcome (how far, counts, rejections) is recorded with it;
 * 3. receipt: written to the partner's outbox under a temporary name, then renamed;
 * 4. move: the file goes from processing/ to processed/ or failed/.
 */
export interface FileIntakeDeps {
  db: Kysely<Database>;
  intake: IntakeService;
  log: Logger;
  /** Messages handed to intake at once. */
  batchSize: number;
  limits: { maxMessageBytes: number; xmlMaxDepth: number };
  /** False once this instance may no longer work the endpoint (lease lost, or stopping). */
  mayContinue: () => boolean;
}

export class WorkInterrupted extends Error {
  override readonly name = 'WorkInterrupted';
}

/** Streams the claimed file from the server into the database. */
export async function storeFile(deps: FileIntakeDeps, session: SftpSession, file: SftpFileRow): Promise<SftpFileRow> {
  await clearChunks(deps.db, file.id);
  const hash = createHash('sha256');
  let size = 0;
  let seq = 0;
  let pending: Buffer[] = [];
  let pendingBytes = 0;
  const flush = async (all: boolean) => {
    while (pendingBytes >= CHUNK_BYTES || (all && pendingBytes > 0)) {
      const joined = Buffer.concat(pending);
      const chunk = joined.subarray(0, Math.min(CHUNK_BYTES, joined.length));
      const rest = joined.subarray(chunk.length);
      await insertChunk(deps.db, file.id, seq++, chunk);
      pending = rest.length ? [rest] : [];
      pendingBytes = rest.length;
    }
  };
  for await (const piece of session.readStream(file.claimed_path) as AsyncIterable<Buffer>) {
    hash.update(piece);
    size += piece.length;
    pending.push(piece);
    pendingBytes += piece.length;
    if (pendingBytes >= CHUNK_BYTES) {
      if (!deps.mayContinue()) throw new WorkInterrupted(`stopped while storing ${file.name}`);
      await flush(false);
    }
  }
  await flush(true);
  const original = await finishStore(deps.db, { id: file.id, country: file.partner_country }, size, hash.digest());
  if (original) deps.log.info({ fileId: file.id, file: file.name, duplicateOf: original.id }, 'SFTP file is a repeat of one received before; not applied again');
  return (await getFile(deps.db, file.id))!;
}

function annotate(adapter: FormatAdapter, raw: Buffer, errors: readonly FieldError[]): FieldError[] {
  return errors.map((e) => {
    if (e.source || !e.pointer || !adapter.sourceOf) return e;
    const source = adapter.sourceOf(e.pointer, raw);
    return source ? { ...e, source } : e;
  });
}

/** Splits the stored file into messages and hands them to intake, from where it got before. */
export async function splitStoredFile(deps: FileIntakeDeps, endpoint: SftpEndpoint, file: SftpFileRow): Promise<SftpFileRow> {
  const inbound = file.format ? endpoint.inbound.find((f) => f.format === file.format) : undefined;
  if (!inbound) {
    const patterns = endpoint.inbound.map((f) => `${f.globs?.join(', ') ?? '*'} as ${f.format}`).join('; ');
    await setStatus(deps.db, file.id, 'failed', {
      code: 'file.no-format',
      message: file.format ? `the format ${file.format} is no longer configured for this country` : `no format is configured for a file named "${file.name}" (files read here: ${patterns})`,
    });
    return (await getFile(deps.db, file.id))!;
  }
  await setStatus(deps.db, file.id, 'splitting');
  const progress: FileProgress = { nextIndex: file.next_index, messages: file.messages, accepted: file.accepted, rejected: file.rejected, duplicates: file.duplicates };
  const sender = { country: endpoint.country, agency: endpoint.agency };
  const contentType = inbound.adapter.mediaTypes[0] ?? 'application/octet-stream';
  let batch: FramedMessage[] = [];
  let faults: FileRejection[] = [];
  // Two batches in flight: one is being stored while the next is normalised and validated.
  // Their outcomes are recorded strictly in file order, each after the one before it.
  const inFlight: Promise<void>[] = [];
  let recorded: Promise<void> = Promise.resolve();

  const flush = async (nextIndex: number) => {
    if (!deps.mayContinue()) throw new WorkInterrupted(`stopped while splitting ${file.name}`);
    const messages = batch;
    const framingFaults = faults;
    batch = [];
    faults = [];
    const submissions: Submission[] = messages.map((m) => ({ channel: 'sftp', format: inbound.format, contentType, raw: m.raw, sender, fileId: file.id, fileIndex: m.index }));
    const submitted: Promise<IntakeResult[]> = submissions.length ? deps.intake.submitMany(submissions) : Promise.resolve([]);
    const before = recorded;
    recorded = (async () => {
      const results = await submitted;
      await before;
      const rejections = [...framingFaults];
      results.forEach((r, i) => {
        const m = messages[i]!;
        progress.messages += 1;
        if (r.duplicate) progress.duplicates += 1;
        // 'refused': valid, but its handler would not apply it (applied at intake); a rejection all the same.
        else if (r.status !== 'rejected' && r.status !== 'refused') progress.accepted += 1;
        else {
          progress.rejected += 1;
          rejections.push({ index: m.index, line: m.line, ledgerId: r.ledgerId, ...(r.messageId ? { messageId: r.messageId } : {}), errors: annotate(inbound.adapter, m.raw, r.errors) });
        }
      });
      progress.messages += framingFaults.length;
      progress.rejected += framingFaults.length;
      progress.nextIndex = nextIndex;
      await recordProgress(deps.db, file.id, progress, rejections);
    })();
    inFlight.push(recorded);
    recorded.catch(() => undefined); // awaited below; a failure must not go unhandled meanwhile
    if (inFlight.length >= 2) await inFlight.shift();
  };

  const source = storedBytes(deps.db, file.id);
  let fatal: { line: number; code: string; message: string } | undefined;
  let seen = progress.nextIndex;
  try {
    for await (const item of splitFile(source, inbound.file, file.name, deps.limits)) {
      if (item.kind === 'fault' && item.fatal) {
        fatal = { line: item.line, code: item.code, message: item.message };
        break;
      }
      const index = item.index!;
      if (index < progress.nextIndex) continue;
      seen = index + 1;
      if (item.kind === 'message') batch.push(item);
      else faults.push({ index, line: item.line, errors: [{ source: `line ${item.line}`, code: item.code, message: item.message }] });
      if (batch.length + faults.length >= deps.batchSize) await flush(seen);
    }
    await flush(seen);
  } finally {
    // Whatever happened, nothing is left running against the file.
    await Promise.allSettled(inFlight);
  }
  await recorded;
  if (fatal) {
    deps.log.warn({ fileId: file.id, file: file.name, ...fatal }, 'SFTP file could not be read to the end');
    await setStatus(deps.db, file.id, 'failed', fatal);
  } else await setStatus(deps.db, file.id, 'processed');
  const done = (await getFile(deps.db, file.id))!;
  deps.log.info(
    { fileId: file.id, file: file.name, country: endpoint.country, status: done.status, messages: done.messages, accepted: done.accepted, rejected: done.rejected, duplicates: done.duplicates },
    'SFTP file split',
  );
  return done;
}

export async function sendReceipt(deps: FileIntakeDeps, session: SftpSession, endpoint: SftpEndpoint, file: SftpFileRow): Promise<void> {
  const name = await session.publish(endpoint.paths.outbox, receiptNames(file), receiptJson(deps.db, file.id));
  await markReceiptSent(deps.db, file.id, name);
}

/** From processing/ to processed/ (or failed/), under its own name when free. */
export async function moveFile(deps: FileIntakeDeps, session: SftpSession, endpoint: SftpEndpoint, file: SftpFileRow): Promise<void> {
  const dir = file.status === 'failed' ? endpoint.paths.failed : endpoint.paths.processed;
  const targets = [posix.join(dir, file.name), posix.join(dir, `${file.id}__${file.name}`)];
  for (const target of targets) {
    try {
      await session.rename(file.claimed_path, target);
      await markMoved(deps.db, file.id, target);
      return;
    } catch (err) {
      if ((err as SftpError).status === SFTP_NO_SUCH_FILE && !(await session.exists(file.claimed_path))) {
        // Moved before a crash that came before it was recorded.
        await markMoved(deps.db, file.id, `${dir}/`);
        return;
      }
      if (!(await session.exists(target))) throw err;
    }
  }
  throw new Error(`cannot move ${file.claimed_path}: ${targets.join(' and ')} both exist`);
}

/** Takes a file from wherever it got to, to the end. */
export async function workFile(deps: FileIntakeDeps, session: SftpSession, endpoint: SftpEndpoint, row: SftpFileRow): Promise<SftpFileRow> {
  let file = row;
  if (file.status === 'receiving') {
    if (!(await session.exists(file.claimed_path))) {
      await setStatus(deps.db, file.id, 'failed', { code: 'file.vanished', message: `the claimed file ${file.claimed_path} is no longer on the server` });
      await markMoved(deps.db, file.id, '(vanished)');
      file = (await getFile(deps.db, file.id))!;
    } else file = await storeFile(deps, session, file);
  }
  if (file.status === 'received' || file.status === 'splitting') file = await splitStoredFile(deps, endpoint, file);
  if (!deps.mayContinue()) throw new WorkInterrupted(`stopped before finishing ${file.name}`);
  if (!file.receipt_sent_at) await sendReceipt(deps, session, endpoint, file);
  if (!file.moved_to) await moveFile(deps, session, endpoint, file);
  return (await getFile(deps.db, file.id))!;
}

/** The format a newly claimed file will be read with (null: none fits its name). */
export function formatOf(endpoint: SftpEndpoint, name: string): string | null {
  return formatForFile(endpoint, name)?.format ?? null;
}
