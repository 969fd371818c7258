import type { Channel } from 'amqplib';
import type { LoadedConfig } from '../../src/config/load-config.js';
import type { HubConfig, PartnerConfig } from '../../src/messages/generated-types.js';

/**
 * The hub's RabbitMQ topology, derived from partner configuration. Per country that uses AMQP:
 *
 *   exchange tracehub.in.<CC> (fanout) -> quorum queue tracehub.in.<CC>    the country publishes, the hub consumes
 *   quorum queue tracehub.out.<CC>                                         the hub publishes, the country consumes
 *
 * Every queue dead-letters into one direct exchange (amqp.deadLetterExchange), routed by the
 * queue's own name to a quorum queue <queue>.dead. The country publishes to an exchange rather
 * than to the default exchange on purpose: write permission on the default exchange would let it
 * publish into any queue, another country's included; on its own exchange it reaches its own
 * queue only (see partnerPermissions).
 */
export interface AmqpSettings {
  prefetch: number;
  heartbeatSeconds: number;
  reconnectInitialMs: number;
  reconnectMaxMs: number;
  startWaitMs: number;
  deadLetterExchange: string;
  deliveryLimit: number;
  maxMessageBytes: number;
  confirmTimeoutMs: number;
}

export function amqpSettings(hub: HubConfig): AmqpSettings {
  const a = hub.amqp ?? {};
  return {
    prefetch: a.prefetch ?? 500,
    heartbeatSeconds: a.heartbeatSeconds ?? 30,
    reconnectInitialMs: a.reconnectInitialMs ?? 500,
    reconnectMaxMs: a.reconnectMaxMs ?? 30_000,
    startWaitMs: a.startWaitMs ?? 10_000,
    deadLetterExchange: a.deadLetterExchange ?? 'tracehub.dead',
    deliveryLimit: a.deliveryLimit ?? 20,
    maxMessageBytes: a.maxMessageBytes ?? hub.http.bodyLimitBytes,
    confirmTimeoutMs: a.confirmTimeoutMs ?? 30_000,
  };
}

export interface AmqpInboundLane {
  country: string;
  /** The queue the hub consumes and the fanout exchange of the same name the country publishes to. */
  queue: string;
  /** Format adapters the country sends over AMQP, the first being the default. */
  formats: string[];
  /** The agency the queue speaks for, or null when it vouches for the country only. */
  agency: string | null;
  prefetch: number;
}

export interface AmqpPartnerTopology {
  country: string;
  inbound?: AmqpInboundLane;
  /** The queue the hub publishes the country's replies to. */
  outboundQueue?: string;
}

export interface AmqpTopology {
  deadLetterExchange: string;
  deliveryLimit: number;
  partners: AmqpPartnerTopology[];
}

export const inboundQueueOf = (p: PartnerConfig): string => p.amqp?.inboundQueue ?? `tracehub.in.${p.country}`;
export const outboundQueueOf = (p: PartnerConfig): string => p.amqp?.outboundQueue ?? `tracehub.out.${p.country}`;
export const deadLetterQueueOf = (queue: string): string => `${queue}.dead`;

function amqpInbound(p: PartnerConfig): string[] {
  return p.inbound.filter((i) => i.channel === 'amqp').map((i) => i.format);
}

export function usesAmqp(config: LoadedConfig): boolean {
  return [...config.partners.values()].some((p) => p.replies.channel === 'amqp' || amqpInbound(p).length > 0);
}

export function amqpTopology(config: LoadedConfig): AmqpTopology {
  const settings = amqpSettings(config.hub);
  const partners: AmqpPartnerTopology[] = [];
  for (const p of [...config.partners.values()].sort((a, b) => a.country.localeCompare(b.country))) {
    const formats = amqpInbound(p);
    const entry: AmqpPartnerTopology = { country: p.country };
    if (formats.length) entry.inbound = { country: p.country, queue: inboundQueueOf(p), formats, agency: p.amqp?.agency ?? null, prefetch: p.amqp?.prefetch ?? settings.prefetch };
    if (p.replies.channel === 'amqp') entry.outboundQueue = outboundQueueOf(p);
    if (entry.inbound || entry.outboundQueue) partners.push(entry);
  }
  return { deadLetterExchange: settings.deadLetterExchange, deliveryLimit: settings.deliveryLimit, partners };
}

/** Problems in the AMQP parts of partner files, each naming the file and the field. */
export function amqpConfigProblems(config: LoadedConfig): { file: string; pointer: string; message: string }[] {
  const problems: { file: string; pointer: string; message: string }[] = [];
  const owners = new Map<string, string>();
  for (const p of [...config.partners.values()].sort((a, b) => a.country.localeCompare(b.country))) {
    const file = `config/partners/${p.country}.json`;
    const uses = p.replies.channel === 'amqp' || amqpInbound(p).length > 0;
    if (!uses) continue;
    const names: [string, string][] = [];
    if (amqpInbound(p).length) names.push(['/amqp/inboundQueue', inboundQueueOf(p)]);
    if (p.replies.channel === 'amqp') names.push(['/amqp/outboundQueue', outboundQueueOf(p)]);
    for (const [pointer, name] of names) {
      const taken = owners.get(name);
      if (taken) problems.push({ file, pointer, message: `queue "${name}" is already used by ${taken}; every country needs queues of its own` });
      else if (name === config.hub.amqp?.deadLetterExchange || name.endsWith('.dead')) problems.push({ file, pointer, message: `"${name}" is reserved for dead letters` });
      else owners.set(name, `${p.country} (${pointer})`);
    }
    if (p.amqp?.agency && amqpInbound(p).length === 0) problems.push({ file, pointer: '/amqp/agency', message: 'names the agency of the inbound queue, but the country has no inbound channel "amqp"' });
  }
  return problems;
}

function quorumArguments(topology: AmqpTopology, queue: string): Record<string, unknown> {
  return {
    'x-queue-type': 'quorum',
    'x-dead-letter-exchange': topology.deadLetterExchange,
    'x-dead-letter-routing-key': queue,
    'x-delivery-limit': topology.deliveryLimit,
  };
}

/** Declarations are idempotent; a queue that exists with other arguments fails with PRECONDITION_FAILED. */
async function declareQueue(ch: Channel, topology: AmqpTopology, queue: string): Promise<void> {
  const dead = deadLetterQueueOf(queue);
  await ch.assertQueue(dead, { durable: true, arguments: { 'x-queue-type': 'quorum' } });
  await ch.bindQueue(dead, topology.deadLetterExchange, queue);
  await ch.assertQueue(queue, { durable: true, arguments: quorumArguments(topology, queue) });
}

export async function declareTopology(ch: Channel, topology: AmqpTopology): Promise<void> {
  await ch.assertExchange(topology.deadLetterExchange, 'direct', { durable: true });
  for (const p of topology.partners) await declarePartner(ch, topology, p);
}

export async function declarePartner(ch: Channel, topology: AmqpTopology, p: AmqpPartnerTopology): Promise<void> {
  if (p.inbound) {
    await declareQueue(ch, topology, p.inbound.queue);
    await ch.assertExchange(p.inbound.queue, 'fanout', { durable: true });
    await ch.bindQueue(p.inbound.queue, p.inbound.queue, '');
  }
  if (p.outboundQueue) await declareQueue(ch, topology, p.outboundQueue);
}

const escapeRegex = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
const anyOf = (names: string[]) => (names.length ? `^(${names.map(escapeRegex).join('|')})$` : '^$');

/**
 * The RabbitMQ permissions (configure, write, read regexes) that confine a country's own user to
 * its queues: it declares nothing (the hub does), publishes only to its inbound exchange, and
 * consumes only its outbound queue and its own dead letters.
 *
 *   rabbitmqctl set_permissions -p <vhost> <user> '<configure>' '<write>' '<read>'
 */
export function partnerPermissions(p: AmqpPartnerTopology): { configure: string; write: string; read: string } {
  const read: string[] = [];
  if (p.outboundQueue) read.push(p.outboundQueue, deadLetterQueueOf(p.outboundQueue));
  if (p.inbound) read.push(deadLetterQueueOf(p.inbound.queue));
  return { configure: '^$', write: anyOf(p.inbound ? [p.inbound.queue] : []), read: anyOf(read) };
}
