import type { Logger } from 'pino';
import type { LoadedConfig } from '../../src/config/load-config.js';
import type { PartnerConfig } from '../../src/messages/generated-types.js';
import type { AdapterContext, FormatAdapter } from '../formats/format-adapter.js';
import type { ChannelDeliverer, DeliveryResult, OutboxRow } from './channel-deliverer.js';
import { SIGNATURE_HEADER, TIMESTAMP_HEADER, webhookSignature } from './webhook-signature.js';

/**
 * Webhooks out: each outbox row is rendered in the format the country asked for and POSTed to its
 * URL, signed (see webhook-signature.ts) with a secret read from the environment variable the
 * partner file names. 2xx is delivered. A refusal of the message (other 4xx, a redirect) fails
 * that row; connection errors, timeouts, 408, 429 and 5xx mean the endpoint is down, which stops
 * the round (the rest are not attempted) and counts towards the partner's circuit breaker.
 * Retries are the delivery stage's: the same row is posted again with the same message id and
 * X-Tracehub-Delivery, so the receiver can drop a repeat.
 */
export interface WebhookDelivererDeps {
  config: LoadedConfig;
  formats: ReadonlyMap<string, FormatAdapter>;
  adapterContext: AdapterContext;
  /** Reads a secret by environment variable name. */
  secretOf: (name: string) => string | undefined;
  timeoutMs: number;
  maxBatch: number;
  log: Logger;
}

/** Problems with partners that want webhooks, each naming the file and field. */
export function webhookConfigProblems(config: LoadedConfig, secretOf: (name: string) => string | undefined): { file: string; pointer: string; message: string }[] {
  const problems: { file: string; pointer: string; message: string }[] = [];
  for (const p of config.partners.values()) {
    if (p.replies.channel !== 'webhook') continue;
    const file = `config/partners/${p.country}.json`;
    if (!p.webhook) problems.push({ file, pointer: '/webhook', message: 'replies.channel is "webhook", so the file needs webhook.url and webhook.secretEnv' });
    else if (!secretOf(p.webhook.secretEnv)) problems.push({ file, pointer: '/webhook/secretEnv', message: `the environment variable ${p.webhook.secretEnv} is not set; it holds the signing secret (never put the secret in the file)` });
  }
  return problems;
}

const UNREACHABLE_STATUS = new Set([408, 425, 429]);

export class WebhookDeliverer implements ChannelDeliverer {
  readonly channel = 'webhook';
  readonly maxBatch: number;

  constructor(private readonly deps: WebhookDelivererDeps) {
    this.maxBatch = deps.maxBatch;
  }

  async deliver(rows: readonly OutboxRow[]): Promise<DeliveryResult[]> {
    const results: DeliveryResult[] = [];
    let down: string | undefined;
    for (const row of rows) {
      if (down) {
        results.push({ id: row.id, ok: false, error: `not attempted: ${down}`, notAttempted: true });
        continue;
      }
      const r = await this.#post(row);
      results.push(r);
      if (!r.ok && r.unreachable) down = r.error;
    }
    return results;
  }

  async #post(row: OutboxRow): Promise<DeliveryResult> {
    const partner: PartnerConfig | undefined = this.deps.config.partners.get(row.recipient_country);
    const hook = partner?.webhook;
    if (!hook) return { id: row.id, ok: false, error: `${row.recipient_country} has no webhook in config/partners/${row.recipient_country}.json` };
    const secret = this.deps.secretOf(hook.secretEnv);
    if (!secret) return { id: row.id, ok: false, error: `the signing secret ${hook.secretEnv} is not set in the environment`, unreachable: true };
    let body: Buffer;
    let contentType: string;
    try {
      const adapter = this.deps.formats.get(row.format);
      if (!adapter) throw new Error(`no format adapter named ${row.format}`);
      body = adapter.render(row.envelope, this.deps.adapterContext);
      contentType = adapter.mediaTypes[0]!;
    } catch (err) {
      return { id: row.id, ok: false, error: `cannot render as ${row.format}: ${(err as Error).message}`, permanent: true };
    }
    const envelope = row.envelope as { messageId?: string };
    const timestamp = String(Math.floor(Date.now() / 1000));
    const headers: Record<string, string> = {
      ...(hook.headers ?? {}),
      'content-type': contentType,
      'user-agent': 'tracehub-webhook/1',
      [TIMESTAMP_HEADER]: timestamp,
      [SIGNATURE_HEADER]: webhookSignature(secret, timestamp, body),
      'x-tracehub-delivery': row.id,
      'x-tracehub-message-id': envelope.messageId ?? row.id,
      'x-tracehub-type': row.type,
      ...(row.correlation_id ? { 'x-tracehub-correlation-id': row.correlation_id } : {}),
    };
    const started = performance.now();
    try {
      const res = await fetch(hook.url, {
        method: 'POST',
        headers,
        body,
        redirect: 'manual',
        signal: AbortSignal.timeout(hook.timeoutMs ?? this.deps.timeoutMs),
      });
      const text = (await res.text().catch(() => '')).slice(0, 300);
      const ms = Math.round(performance.now() - started);
      if (res.status >= 200 && res.status < 300) {
        this.deps.log.debug({ correlationId: row.correlation_id, outboxId: row.id, country: row.recipient_country, status: res.status, ms }, 'webhook delivered');
        return { id: row.id, ok: true };
      }
      const error = `HTTP ${res.status} from ${hook.url}${text ? `: ${text}` : ''}`;
      if (res.status >= 500 || UNREACHABLE_STATUS.has(res.status)) return { id: row.id, ok: false, error, unreachable: true };
      if (res.status >= 300 && res.status < 400) return { id: row.id, ok: false, error: `${error} (redirect to ${res.headers.get('location') ?? '?'}; configure the final URL)` };
      return { id: row.id, ok: false, error };
    } catch (err) {
      const e = err as Error & { cause?: { code?: string; message?: string } };
      const reason = e.name === 'TimeoutError' ? `no answer within ${hook.timeoutMs ?? this.deps.timeoutMs} ms` : (e.cause?.code ?? e.cause?.message ?? e.message);
      return { id: row.id, ok: false, error: `POST ${hook.url} failed: ${reason}`, unreachable: true };
    }
  }
}
