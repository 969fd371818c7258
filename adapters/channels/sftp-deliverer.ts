import { createHash } from 'node:crypto';
import type { Logger } from 'pino';
import type { AdapterContext, FormatAdapter } from '../formats/format-adapter.js';
import { joinMessages } from '../streams/file-splitter.js';
import type { ChannelDeliverer, DeliveryResult, OutboxRow } from './channel-deliverer.js';
import type { SftpEndpoint } from './sftp-endpoint.js';
import type { SftpSessions } from './sftp-session.js';

/**
 * SFTP out: the messages routed to a country are rendered in the format it asked for and written
 * as files in its outbox, as many as fit in a file at a time. A file is written under a hidden
 * temporary name and renamed when complete, so the partner never reads half of one. Its name is
 * derived from the outbox ids it holds, so a retried delivery of the same rows finds its file
 * already there and counts it delivered instead of writing it twice.
 */
export interface SftpDelivererDeps {
  endpoints: ReadonlyMap<string, SftpEndpoint>;
  /** Countries whose endpoint cannot be used on this machine, with the reason. */
  unavailable: ReadonlyMap<string, string>;
  formats: ReadonlyMap<string, FormatAdapter>;
  adapterContext: AdapterContext;
  sessions: SftpSessions;
  log: Logger;
}

function stamp(d: Date): string {
  return d.toISOString().replace(/[-:]/g, '').replace(/\.\d+Z$/, 'Z');
}

/** The outbound file name for a batch: when the first was routed, and which rows it holds. */
export function outboundFileName(rows: readonly OutboxRow[], extension: string): string {
  const ids = rows.map((r) => r.id).sort();
  const digest = createHash('sha256').update(ids.join(',')).digest('hex').slice(0, 16);
  const first = rows.reduce((min, r) => (new Date(r.created_at) < min ? new Date(r.created_at) : min), new Date(rows[0]!.created_at));
  return `tracehub-${stamp(first)}-${digest}${extension}`;
}

export class SftpDeliverer implements ChannelDeliverer {
  readonly channel = 'sftp';
  readonly maxBatch = 1000;

  constructor(private readonly deps: SftpDelivererDeps) {}

  async deliver(rows: readonly OutboxRow[]): Promise<DeliveryResult[]> {
    const results: DeliveryResult[] = [];
    const byCountry = new Map<string, OutboxRow[]>();
    for (const r of rows) byCountry.set(r.recipient_country, [...(byCountry.get(r.recipient_country) ?? []), r]);
    for (const [country, list] of byCountry) results.push(...(await this.#deliverTo(country, list)));
    return results;
  }

  async #deliverTo(country: string, rows: readonly OutboxRow[]): Promise<DeliveryResult[]> {
    const endpoint = this.deps.endpoints.get(country);
    if (!endpoint) {
      const why = this.deps.unavailable.get(country) ?? `config/partners/${country}.json has no sftp endpoint`;
      return rows.map((r) => ({ id: r.id, ok: false, error: `no SFTP endpoint for ${country}: ${why}`, unreachable: true }));
    }
    const results: DeliveryResult[] = [];
    // Rendered first: a message its format cannot carry fails alone, not the file.
    const byFormat = new Map<string, { row: OutboxRow; bytes: Buffer }[]>();
    for (const row of rows) {
      const adapter = this.deps.formats.get(row.format);
      try {
        if (!adapter?.file) throw new Error(adapter ? `the ${row.format} format cannot be written as files` : `no format adapter named ${row.format}`);
        const bytes = adapter.render(row.envelope, this.deps.adapterContext);
        byFormat.set(row.format, [...(byFormat.get(row.format) ?? []), { row, bytes }]);
      } catch (err) {
        results.push({ id: row.id, ok: false, error: `cannot render as ${row.format}: ${(err as Error).message}`, permanent: true });
      }
    }
    let down: string | undefined;
    for (const [format, items] of byFormat) {
      const file = this.deps.formats.get(format)!.file!;
      for (let i = 0; i < items.length; i += endpoint.outboundBatchMessages) {
        const batch = items.slice(i, i + endpoint.outboundBatchMessages);
        if (down) {
          results.push(...batch.map(({ row }) => ({ id: row.id, ok: false, error: `not attempted: ${down}`, notAttempted: true })));
          continue;
        }
        const name = outboundFileName(batch.map((b) => b.row), file.extension);
        try {
          const session = await this.deps.sessions.get(endpoint.key, endpoint.connection);
          const written = await session.publish(endpoint.paths.outbox, [name], joinMessages(file, batch.map((b) => b.bytes))).catch(async (err: unknown) => {
            // Written by an earlier attempt whose outcome was not recorded: delivered then.
            if (await session.exists(`${endpoint.paths.outbox}/${name}`)) return name;
            throw err;
          });
          this.deps.log.info({ country, file: written, messages: batch.length }, 'SFTP file delivered');
          results.push(...batch.map(({ row }) => ({ id: row.id, ok: true })));
        } catch (err) {
          this.deps.sessions.discard(endpoint.key);
          down = `SFTP ${endpoint.connection.username}@${endpoint.connection.host}:${endpoint.connection.port}: ${(err as Error).message}`;
          results.push(...batch.map(({ row }) => ({ id: row.id, ok: false, error: down, unreachable: true })));
        }
      }
    }
    return results;
  }
}
