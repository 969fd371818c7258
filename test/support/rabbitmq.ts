import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { promisify } from 'node:util';

/**
 * Each test file that uses RabbitMQ gets a virtual host of its own on the machine's broker
 * (created with rabbitmqctl, deleted with everything in it at the end), so files run in parallel
 * without seeing each other's queues and leave nothing behind.
 */
const run = promisify(execFile);

export async function rabbitmqctl(args: string[]): Promise<string> {
  const { stdout } = await run('rabbitmqctl', ['-q', ...args], { timeout: 60_000 });
  return stdout;
}

export interface TestVhost {
  name: string;
  /** amqp URL of the vhost as guest/guest, or as another user. */
  url(user?: { name: string; password: string }): string;
  delete(): Promise<void>;
}

const base = () => new URL(process.env.TEST_AMQP_URL ?? 'amqp://guest:guest@127.0.0.1:5672');

export async function createVhost(label: string): Promise<TestVhost> {
  const name = `t_${label.toLowerCase().replace(/[^a-z0-9]/g, '_').slice(0, 30)}_${randomBytes(4).toString('hex')}`;
  const guest = decodeURIComponent(base().username || 'guest');
  await rabbitmqctl(['add_vhost', name]);
  await rabbitmqctl(['set_permissions', '-p', name, guest, '.*', '.*', '.*']);
  return {
    name,
    url(user) {
      const u = base();
      u.pathname = `/${encodeURIComponent(name)}`;
      if (user) {
        u.username = encodeURIComponent(user.name);
        u.password = encodeURIComponent(user.password);
      }
      return u.toString();
    },
    async delete() {
      await rabbitmqctl(['delete_vhost', name]).catch(() => undefined);
    },
  };
}

export interface QueueInfo {
  name: string;
  type: string;
  durable: boolean;
  messages: number;
  messages_unacknowledged: number;
  consumers: number;
  arguments: Record<string, unknown>;
}

export async function listQueues(vhost: string): Promise<QueueInfo[]> {
  const out = await rabbitmqctl(['list_queues', '-p', vhost, 'name', 'type', 'durable', 'messages', 'messages_unacknowledged', 'consumers', 'arguments', '--formatter', 'json']);
  // rabbitmqctl prints arguments as [name, type, value] triples (or an object on newer versions).
  return (JSON.parse(out) as (Omit<QueueInfo, 'arguments'> & { arguments: unknown })[]).map((q) => ({
    ...q,
    arguments: Array.isArray(q.arguments) ? Object.fromEntries((q.arguments as unknown[][]).map((a) => [String(a[0]), a[a.length - 1]])) : (q.arguments as Record<string, unknown>),
  }));
}

export async function listConsumers(vhost: string): Promise<{ queue_name: string; prefetch_count: number; ack_required: boolean }[]> {
  const out = await rabbitmqctl(['list_consumers', '-p', vhost, 'queue_name', 'prefetch_count', 'ack_required', '--formatter', 'json']);
  return JSON.parse(out) as { queue_name: string; prefetch_count: number; ack_required: boolean }[];
}

/** A broker user of the test's own (users are broker-wide), removed by the returned function. */
export async function createUser(label: string, vhost: string, permissions: { configure: string; write: string; read: string }): Promise<{ name: string; password: string; delete(): Promise<void> }> {
  const name = `t_${label}_${randomBytes(4).toString('hex')}`;
  const password = randomBytes(12).toString('hex');
  await rabbitmqctl(['add_user', name, password]);
  await rabbitmqctl(['set_permissions', '-p', vhost, name, permissions.configure, permissions.write, permissions.read]);
  return { name, password, delete: async () => void (await rabbitmqctl(['delete_user', name]).catch(() => undefined)) };
}
