import { createHash } from 'node:crypto';
import { sql, type Kysely } from 'kysely';
import type { Database } from '../db/database-types.js';
import { HubError } from '../errors/hub-error.js';
import type { FieldError, TraceAttachment, TraceAttachmentRef } from '../messages/generated-types.js';
import { visibleTraces, type Actor, type NcbOf } from './trace-parties.js';

/**
 * Attachments of trace requests, responses and comments: photographs of markings, scanned export
 * licences. A file is uploaded once, stored once per content (its SHA-256 is its id, so the same
 * photo sent twice or used by a follow-up request costs nothing), and messages carry only the
 * reference. Messages stay small and every channel can carry them; the recipient fetches the file
 * with its own API key, and only the two sides of a request using the file (or a country that
 * uploaded it) may.
 */
export const ATTACHMENT_TYPES = ['image/jpeg', 'image/png', 'image/gif', 'image/tiff', 'image/webp', 'application/pdf'] as const;
export type AttachmentType = (typeof ATTACHMENT_TYPES)[number];

const SIGNATURES: { type: AttachmentType; test: (b: Buffer) => boolean }[] = [
  { type: 'image/jpeg', test: (b) => b.length >= 3 && b[0] === 0xff && b[1] === 0xd8 && b[2] === 0xff },
  { type: 'image/png', test: (b) => b.subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])) },
  { type: 'image/gif', test: (b) => ['GIF87a', 'GIF89a'].includes(b.subarray(0, 6).toString('latin1')) },
  { type: 'image/tiff', test: (b) => ['II*\u0000', 'MM\u0000*'].includes(b.subarray(0, 4).toString('latin1')) },
  { type: 'image/webp', test: (b) => b.subarray(0, 4).toString('latin1') === 'RIFF' && b.subarray(8, 12).toString('latin1') === 'WEBP' },
  { type: 'application/pdf', test: (b) => b.subarray(0, 5).toString('latin1') === '%PDF-' },
];

/** What the bytes are, by their signature; undefined when none of the accepted kinds. */
export function sniffContentType(bytes: Buffer): AttachmentType | undefined {
  return SIGNATURES.find((s) => s.test(bytes))?.type;
}

/**
 * Checks an upload: an accepted type, content that is what it says (a renamed executable is not
 * a JPEG), not empty, and, if the sender sent a digest, the bytes that arrived are the bytes sent.
 */
export function checkUpload(declared: string, bytes: Buffer, digest: { sha256Hex?: string | undefined } = {}): { contentType: AttachmentType; sha256: Buffer } {
  const type = declared.split(';')[0]!.trim().toLowerCase();
  if (!(ATTACHMENT_TYPES as readonly string[]).includes(type)) throw new HubError('UNSUPPORTED_MEDIA_TYPE', `attachments are ${ATTACHMENT_TYPES.join(', ')}; not ${type || 'untyped content'}`);
  if (bytes.length === 0) throw new HubError('BAD_REQUEST', 'the attachment is empty');
  const sniffed = sniffContentType(bytes);
  if (sniffed !== type) {
    throw new HubError('BAD_REQUEST', `the content is ${sniffed ?? 'of no accepted type'}, not ${type} as declared`, [{ pointer: '/body', code: 'attachment.content-mismatch', message: `does not start with the signature of ${type}` }]);
  }
  const sha256 = createHash('sha256').update(bytes).digest();
  if (digest.sha256Hex !== undefined && digest.sha256Hex.toLowerCase() !== sha256.toString('hex')) {
    throw new HubError('BAD_REQUEST', `the content's SHA-256 is ${sha256.toString('hex')}, not ${digest.sha256Hex} as sent: the file was damaged on the way`, [{ pointer: '/headers/content-digest', code: 'attachment.checksum', message: 'does not match the content' }]);
  }
  return { contentType: type as AttachmentType, sha256 };
}

/** The SHA-256 an RFC 9530 `Content-Digest: sha-256=:<base64>:` or an `X-Content-SHA256: <hex>` header states. */
export function digestFromHeaders(headers: Record<string, string | string[] | undefined>): { sha256Hex?: string } {
  const cd = headers['content-digest'];
  if (typeof cd === 'string') {
    const m = /(?:^|,)\s*sha-256=:([A-Za-z0-9+/=]+):/.exec(cd);
    if (!m) throw new HubError('BAD_REQUEST', 'Content-Digest names no sha-256 digest (expected sha-256=:<base64>:)', [{ pointer: '/headers/content-digest', code: 'attachment.digest-format', message: 'has no sha-256 member' }]);
    return { sha256Hex: Buffer.from(m[1]!, 'base64').toString('hex') };
  }
  const x = headers['x-content-sha256'];
  if (typeof x === 'string') {
    if (!/^[0-9a-fA-F]{64}$/.test(x)) throw new HubError('BAD_REQUEST', 'X-Content-SHA256 is not 64 hex digits', [{ pointer: '/headers/x-content-sha256', code: 'attachment.digest-format', message: 'is not 64 hex digits' }]);
    return { sha256Hex: x };
  }
  return {};
}

export interface StoredAttachment {
  sha256: string;
  contentType: string;
  size: number;
  created: boolean;
}

/** Stores the bytes unless the same content is there already; notes the uploading country either way. */
export async function storeAttachment(db: Kysely<Database>, upload: { bytes: Buffer; contentType: AttachmentType; sha256: Buffer; country: string }): Promise<StoredAttachment> {
  const row = await sql<{ content_type: string; size_bytes: number; created: boolean }>`
    insert into trace_attachments (sha256, content_type, size_bytes, content, uploaded_by)
    values (${upload.sha256}, ${upload.contentType}, ${upload.bytes.length}, ${upload.bytes}, ${[upload.country]}::text[])
    on conflict (sha256) do update set uploaded_by = case
      when ${upload.country} = any(trace_attachments.uploaded_by) then trace_attachments.uploaded_by
      else trace_attachments.uploaded_by || ${upload.country}::text end
    returning content_type, size_bytes, (xmax = 0) as created`.execute(db);
  const r = row.rows[0]!;
  return { sha256: upload.sha256.toString('hex'), contentType: r.content_type, size: r.size_bytes, created: r.created };
}

export function attachmentHref(sha256Hex: string): string {
  return `/v1/trace-attachments/${sha256Hex}`;
}

/**
 * Resolves the attachments a message references: each must be stored and be the sender's to use
 * (its country uploaded it, or it belongs to a request of which the sender's country is a side).
 * Every unusable reference is reported with its pointer.
 */
export async function resolveAttachmentRefs(db: Kysely<Database>, refs: readonly TraceAttachmentRef[] | undefined, country: string, pointer: string): Promise<TraceAttachment[]> {
  if (!refs?.length) return [];
  const seen = new Set<string>();
  const errors: FieldError[] = [];
  refs.forEach((r, i) => {
    if (seen.has(r.sha256)) errors.push({ pointer: `${pointer}/${i}/sha256`, code: 'attachment.duplicate', message: 'is listed twice' });
    seen.add(r.sha256);
  });
  const rows = await sql<{ sha256: Buffer; content_type: string; size_bytes: number; usable: boolean }>`
    select a.sha256, a.content_type, a.size_bytes,
      (${country} = any(a.uploaded_by) or exists (
        select 1 from trace_attachment_links l join trace_requests t on t.id = l.trace_id
        where l.sha256 = a.sha256 and (t.requester_country = ${country} or t.addressed_country = ${country}))) as usable
    from trace_attachments a
    where a.sha256 = any(${[...seen].map((h) => Buffer.from(h, 'hex'))}::bytea[])`.execute(db);
  const byHex = new Map(rows.rows.map((r) => [r.sha256.toString('hex'), r]));
  const out: TraceAttachment[] = [];
  refs.forEach((r, i) => {
    const row = byHex.get(r.sha256);
    if (!row || !row.usable) {
      errors.push({ pointer: `${pointer}/${i}/sha256`, code: 'attachment.unknown', message: `no attachment ${r.sha256} uploaded by ${country}; upload it first (POST /v1/trace-attachments)` });
      return;
    }
    out.push({ sha256: r.sha256, contentType: row.content_type, size: row.size_bytes, ...(r.caption ? { caption: r.caption } : {}), href: attachmentHref(r.sha256) });
  });
  if (errors.length) throw new HubError('VALIDATION_FAILED', `${errors.length} attachment reference(s) cannot be used`, errors);
  return out;
}

/** Links resolved attachments to a thread event. */
export async function linkAttachments(db: Kysely<Database>, traceId: string, eventId: string, attachments: readonly TraceAttachment[]): Promise<void> {
  if (!attachments.length) return;
  await sql`
    insert into trace_attachment_links (event_id, sha256, trace_id, position, caption)
    select ${eventId}::uuid, decode(h, 'hex'), ${traceId}::uuid, p, c
    from unnest(${attachments.map((a) => a.sha256)}::text[], ${attachments.map((_, i) => i)}::int[], ${attachments.map((a) => a.caption ?? null)}::text[]) as x(h, p, c)`.execute(db);
}

/** One attachment's bytes, if the caller may have them (a side of a request using it, or an uploading country). */
export async function loadAttachment(db: Kysely<Database>, sha256Hex: string, actor: Actor | null, ncbOf: NcbOf): Promise<{ contentType: string; content: Buffer } | undefined> {
  const sha = Buffer.from(sha256Hex, 'hex');
  const allowed = actor
    ? sql<boolean>`(${actor.country} = any(a.uploaded_by) or exists (
        select 1 from trace_attachment_links l join trace_requests t on t.id = l.trace_id
        where l.sha256 = a.sha256 and ${visibleTraces(actor, ncbOf)}))`
    : sql<boolean>`true`;
  const row = await sql<{ content_type: string; content: Buffer }>`select a.content_type, a.content from trace_attachments a where a.sha256 = ${sha} and ${allowed}`.execute(db);
  const r = row.rows[0];
  return r ? { contentType: r.content_type, content: r.content } : undefined;
}
