import { Migrator, sql, type Kysely, type Migration, type MigrationProvider } from 'kysely';
import * as m0001 from './migrations/0001-ledger.js';
import * as m0002 from './migrations/0002-notices.js';
import * as m0003 from './migrations/0003-records.js';
import * as m0004 from './migrations/0004-seizures.js';
import * as m0005 from './migrations/0005-trace-requests.js';
import * as m0006 from './migrations/0006-channels.js';
import * as m0007 from './migrations/0007-sftp-files.js';
import * as m0008 from './migrations/0008-candidate-lookup.js';
import * as m0009 from './migrations/0009-agency-access.js';
import * as m0010 from './migrations/0010-statistics-subscriptions.js';

/**
 * Migrations are imported statically (not discovered on disk) so the compiled build and the test
 * runner see exactly the same list, in order.
 */
const migrations: Record<string, Migration> = {
  '0001-ledger': m0001,
  '0002-notices': m0002,
  '0003-records': m0003,
  '0004-seizures': m0004,
  '0005-trace-requests': m0005,
  '0006-channels': m0006,
  '0007-sftp-files': m0007,
  '0008-candidate-lookup': m0008,
  '0009-agency-access': m0009,
  '0010-statistics-subscriptions': m0010,
};

const provider: MigrationProvider = { getMigrations: async () => migrations };

export async function migrateToLatest(db: Kysely<unknown>, schema: string): Promise<string[]> {
  await sql`create schema if not exists ${sql.id(schema)}`.execute(db);
  const migrator = new Migrator({ db, provider, migrationTableSchema: schema });
  const { error, results } = await migrator.migrateToLatest();
  if (error) throw error instanceof Error ? error : new Error(String(error));
  return (results ?? []).filter((r) => r.status === 'Success').map((r) => r.migrationName);
}
