#!/usr/bin/env node
import { parseArgs } from 'node:util';
import closeWithGrace from 'close-with-grace';
import type { Kysely } from 'kysely';
import { ConfigError } from './config/config-error.js';
import { readEnvironment, type Environment } from './config/environment.js';
import { loadConfig } from './config/load-config.js';
import { ensureDatabaseExists, openDatabase } from './db/database.js';
import type { AgencyRole } from './db/database-types.js';
import { migrateToLatest } from './db/migrate.js';
import { Hub } from './hub.js';
import { createAgency, createApiKey, revokeApiKey } from './identity/agency-repository.js';
import { maintainPartitions } from './ledger/ledger-partitions.js';
import { loadSchemaCatalog } from './messages/schema-catalog.js';
import { createLogger } from './observability/logger.js';
import { checkServices } from './service-check.js';

const USAGE = `tracehub <command>

  start                 API, workers and channel consumers in one process (default ${'127.0.0.1:3000'}; HOST, PORT)
  api                   the API only (scale out behind a load balancer)
  worker                the workers only (scale out on the same Redis/PostgreSQL)
  migrate               create or upgrade the database schema and ledger partitions
  check                 validate config/ and check that every service answers
  agencies add --country CC --code CODE --name NAME --role hub_admin|ncb|agency
                        create an agency and print its first API key (shown once)
  keys create --agency AGENCY_ID [--label TEXT]
  keys revoke KEY_ID

Environment: DATABASE_URL, DATABASE_SCHEMA, REDIS_URL, QUEUE_PREFIX, AMQP_URL, HOST, PORT, LOG_LEVEL, CONFIG_DIR`;

function fail(message: string): never {
  process.stderr.write(`tracehub: ${message}\n`);
  process.exit(1);
}

async function preflight(env: Environment): Promise<void> {
  const catalog = loadSchemaCatalog();
  const config = loadConfig(env.configDir, catalog);
  const amqp = [...config.partners.values()].some((p) => p.replies.channel === 'amqp' || p.inbound.some((i) => i.channel === 'amqp'));
  const problems = await checkServices(env, { amqp });
  if (problems.length) fail(`cannot start:\n  ${problems.join('\n  ')}`);
}

async function withDatabase<T>(env: Environment, fn: (db: ReturnType<typeof openDatabase>['db']) => Promise<T>): Promise<T> {
  await ensureDatabaseExists(env.databaseUrl);
  const handle = openDatabase({ url: env.databaseUrl, schema: env.databaseSchema });
  try {
    await migrateToLatest(handle.db as Kysely<unknown>, env.databaseSchema);
    return await fn(handle.db);
  } finally {
    await handle.close();
  }
}

async function runHub(env: Environment, roles: { api: boolean; workers: boolean }): Promise<void> {
  await preflight(env);
  const log = createLogger(env.logLevel);
  const hub = await Hub.create({ env, roles, logger: log });
  // SIGTERM/SIGINT: stop intake, let in-flight jobs finish, close connections. A second signal
  // or 30 s without finishing exits at once; the ledger and the sweeper make that safe too.
  closeWithGrace({ delay: 30_000 }, async ({ signal, err }) => {
    if (err) log.error({ err }, 'fatal error, shutting down');
    else log.info({ signal }, 'shutting down');
    await hub.stop();
  });
  await hub.start();
}

async function main(argv: string[]): Promise<void> {
  const [command, sub, ...rest] = argv;
  const env = readEnvironment();
  switch (command) {
    case 'start':
      return runHub(env, { api: true, workers: true });
    case 'api':
      return runHub(env, { api: true, workers: false });
    case 'worker':
      return runHub(env, { api: false, workers: true });
    case 'check': {
      await preflight(env);
      process.stdout.write('configuration valid; PostgreSQL and Redis answer\n');
      return;
    }
    case 'migrate': {
      await preflight(env);
      const config = loadConfig(env.configDir, loadSchemaCatalog());
      await withDatabase(env, async (db) => {
        const plan = await maintainPartitions(db, config.hub.retention.classes);
        process.stdout.write(`schema ${env.databaseSchema} is up to date; ${plan.created.length} partitions created\n`);
      });
      return;
    }
    case 'agencies': {
      if (sub !== 'add') fail(USAGE);
      const { values } = parseArgs({ args: rest, options: { country: { type: 'string' }, code: { type: 'string' }, name: { type: 'string' }, role: { type: 'string', default: 'agency' } } });
      if (!values.code || !values.name) fail('agencies add needs --code and --name');
      if (!['hub_admin', 'ncb', 'agency'].includes(values.role!)) fail('--role is hub_admin, ncb or agency');
      const config = loadConfig(env.configDir, loadSchemaCatalog());
      if (values.country && !config.partners.has(values.country)) fail(`${values.country} is not a partner country (add config/partners/${values.country}.json first)`);
      await withDatabase(env, async (db) => {
        const agency = await createAgency(db, { country: values.country ?? null, code: values.code!, name: values.name!, role: values.role as AgencyRole }, 'cli');
        const key = await createApiKey(db, agency.id, 'created with the agency', 'cli');
        process.stdout.write(`agency ${agency.id} (${values.country ?? 'hub'}/${values.code}, ${values.role})\napi key (shown once): ${key.key}\n`);
        if (values.role === 'agency') process.stdout.write(`access: pending until the NCB of ${values.country} approves it on a signed user agreement (POST /v1/agencies/${agency.id}/approval)\n`);
      });
      return;
    }
    case 'keys': {
      if (sub === 'create') {
        const { values } = parseArgs({ args: rest, options: { agency: { type: 'string' }, label: { type: 'string' } } });
        if (!values.agency) fail('keys create needs --agency AGENCY_ID');
        await withDatabase(env, async (db) => {
          const key = await createApiKey(db, values.agency!, values.label ?? null, 'cli');
          process.stdout.write(`api key ${key.id} (shown once): ${key.key}\n`);
        });
        return;
      }
      if (sub === 'revoke' && rest[0]) {
        await withDatabase(env, (db) => revokeApiKey(db, rest[0]!, 'cli'));
        process.stdout.write(`revoked ${rest[0]}\n`);
        return;
      }
      fail(USAGE);
    }
    // eslint-disable-next-line no-fallthrough
    default:
      process.stdout.write(`${USAGE}\n`);
      if (command && command !== 'help' && command !== '--help') process.exit(2);
  }
}

main(process.argv.slice(2)).catch((err: unknown) => {
  if (err instanceof ConfigError) fail(err.message);
  fail(err instanceof Error ? (err.stack ?? err.message) : String(err));
});
