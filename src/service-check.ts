import { Socket } from 'node:net';
import type { Environment } from './config/environment.js';

/**
 * Before anything else, the start command checks that each service answers, so a newcomer sees
 * "Redis is not running on 127.0.0.1:6379; start it with ..." instead of a stack trace.
 */
interface Service {
  name: string;
  url: string;
  defaultPort: number;
  howToStart: string;
}

function reachable(host: string, port: number, timeoutMs = 2000): Promise<string | undefined> {
  return new Promise((resolve) => {
    const s = new Socket();
    const done = (err?: string) => {
      s.destroy();
      resolve(err);
    };
    s.setTimeout(timeoutMs, () => done('no answer'));
    s.once('connect', () => done());
    s.once('error', (e: NodeJS.ErrnoException) => done(e.code ?? e.message));
    s.connect(port, host);
  });
}

export async function checkServices(env: Environment, options: { amqp: boolean }): Promise<string[]> {
  const services: Service[] = [
    { name: 'PostgreSQL', url: env.databaseUrl, defaultPort: 5432, howToStart: "pg_ctlcluster --skip-systemctl-redirect $(ls /etc/postgresql) main start   (or: docker compose up -d postgres)" },
    { name: 'Redis', url: env.redisUrl, defaultPort: 6379, howToStart: 'redis-server --daemonize yes --bind 127.0.0.1 --port 6379 --save "" --appendonly no   (or: docker compose up -d redis)' },
  ];
  if (options.amqp) services.push({ name: 'RabbitMQ', url: env.amqpUrl, defaultPort: 5672, howToStart: 'rabbitmq-server -detached   (or: docker compose up -d rabbitmq)' });
  const problems: string[] = [];
  for (const s of services) {
    const u = new URL(s.url);
    const port = Number(u.port || s.defaultPort);
    const err = await reachable(u.hostname, port);
    if (err) problems.push(`${s.name} is not reachable at ${u.hostname}:${port} (${err}). Start it with:\n    ${s.howToStart}`);
  }
  return problems;
}
