/**
 * Writes a labelled evaluation set for the seizure matcher to a directory:
 *
 *   records.ndjson        one canonical record.upsert envelope per line (POST them to
 *                         /v1/message-batches as application/x-ndjson, or apply them directly)
 *   records-truth.ndjson  per record: ownerCountry, ownerReference and the truth behind it
 *                         (maker/calibre/type ids, maker number, its format, cross-maker duplicate)
 *   seizures.ndjson       one LabelledSeizure per line: a seizure.report payload with one firearm
 *                         and its label (see bench/support/labelled-seizures.ts for the shape)
 *   manifest.json         the options, counts per kind and per variation
 *
 *   npm run bench:labelled-set -- bench/results/labelled [--records 20000] [--seizures 2000]
 *                                 [--seed 1] [--countries FR,DE,US]
 *
 * Owner and seizing countries default to the partner countries of config/partners/ that have a
 * country profile (only partners may send messages to the hub); their NCB agency codes come from
 * the same files. The output is deterministic for a given seed and options.
 */
import { createWriteStream, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { once } from 'node:events';
import { join } from 'node:path';
import { intFlag, log, parseFlags, ROOT } from './support/harness.js';
import { KNOWN_COUNTRIES, labelledSeizures, summarise } from './support/labelled-seizures.js';
import { readGeneratorReference, RecordGenerator, toUpsertEnvelope } from './support/record-generator.js';

/** A fixed sentAt keeps the files byte-identical across runs; the hub records its own receipt time. */
const SENT_AT = '2026-11-25T00:00:00.000Z';

function partners(): Record<string, string> {
  const dir = join(ROOT, 'config', 'partners');
  const out: Record<string, string> = {};
  for (const f of readdirSync(dir).filter((n) => n.endsWith('.json')).sort()) {
    const p = JSON.parse(readFileSync(join(dir, f), 'utf8')) as { country: string; ncb: { agency: string } };
    out[p.country] = p.ncb.agency;
  }
  return out;
}

async function writeLines(file: string, lines: Iterable<string>): Promise<void> {
  const out = createWriteStream(file);
  for (const line of lines) if (!out.write(`${line}\n`)) await once(out, 'drain');
  out.end();
  await once(out, 'finish');
}

async function main(): Promise<void> {
  const argv = process.argv.slice(2);
  const flags = parseFlags(argv);
  const dir = argv.find((a, i) => !a.startsWith('--') && (i === 0 || !argv[i - 1]!.startsWith('--'))) ?? (flags.get('out') as string | undefined);
  if (!dir || typeof dir !== 'string') {
    process.stderr.write('usage: npm run bench:labelled-set -- <directory> [--records 20000] [--seizures 2000] [--seed 1] [--countries FR,DE,US]\n');
    process.exit(2);
  }
  const nRecords = intFlag(flags, 'records', 20_000);
  const nSeizures = intFlag(flags, 'seizures', 2_000);
  const seed = intFlag(flags, 'seed', 1);
  const agencies = partners();
  const requested = flags.get('countries');
  const countries = typeof requested === 'string' ? requested.split(',').map((c) => c.trim().toUpperCase()) : Object.keys(agencies).filter((c) => KNOWN_COUNTRIES.includes(c));
  const unknown = countries.filter((c) => !KNOWN_COUNTRIES.includes(c));
  if (unknown.length || countries.length === 0) {
    process.stderr.write(`--countries: no country profile for ${unknown.join(', ') || '(none given)'}; known: ${KNOWN_COUNTRIES.join(', ')}\n`);
    process.exit(2);
  }

  const reference = readGeneratorReference();
  const records = new RecordGenerator({ seed, reference, countries, agencies }).take(nRecords);
  const seizures = labelledSeizures(records, { seed: seed + 1, reference, count: nSeizures, seizingCountries: countries, agencies });

  mkdirSync(dir, { recursive: true });
  await writeLines(
    join(dir, 'records.ndjson'),
    records.map((r, i) => JSON.stringify(toUpsertEnvelope(r, `labelled-${seed}-r${String(i + 1).padStart(7, '0')}`, SENT_AT))),
  );
  await writeLines(
    join(dir, 'records-truth.ndjson'),
    records.map((r) => JSON.stringify({ ownerCountry: r.owner.country, ownerReference: r.payload.ownerReference, ...r.truth })),
  );
  await writeLines(join(dir, 'seizures.ndjson'), seizures.map((s) => JSON.stringify(s)));
  const summary = summarise(seizures);
  const crossMaker = records.filter((r) => r.truth.crossMakerDuplicate).length;
  writeFileSync(
    join(dir, 'manifest.json'),
    `${JSON.stringify({ generator: 'bench/generate-labelled-set.ts', seed, countries, agencies: Object.fromEntries(countries.map((c) => [c, agencies[c] ?? null])), records: nRecords, crossMakerDuplicates: crossMaker, seizures: summary }, null, 2)}\n`,
  );
  log(`wrote ${nRecords} records (${crossMaker} with another maker's number) and ${summary.total} seizures (${summary.positives} of recorded guns, ${summary.negatives} not recorded) to ${dir}`);
  log(`kinds: ${Object.entries(summary.kinds).map(([k, n]) => `${k} ${n}`).join(', ')}`);
}

main().catch((err: unknown) => {
  process.stderr.write(`${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exit(1);
});
