import { cpSync, mkdtempSync, readFileSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ConfigError } from '../../src/config/config-error.js';
import { loadConfig, retentionClassOf } from '../../src/config/load-config.js';
import { projectRoot } from '../../src/config/project-root.js';
import { loadSchemaCatalog } from '../../src/messages/schema-catalog.js';

const catalog = loadSchemaCatalog();
type Json = Record<string, unknown>;

let dir: string;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'tracehub-config-'));
  cpSync(join(projectRoot(), 'config', 'hub.json'), join(dir, 'hub.json'));
  cpSync(join(projectRoot(), 'config', 'partners'), join(dir, 'partners'), { recursive: true });
});

afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

function read(file: string): Json {
  return JSON.parse(readFileSync(join(dir, file), 'utf8')) as Json;
}
function write(file: string, value: unknown): void {
  writeFileSync(join(dir, file), typeof value === 'string' ? value : JSON.stringify(value, null, 2));
}
function edit(file: string, change: (doc: Json) => void): void {
  const doc = read(file);
  change(doc);
  write(file, doc);
}

/** Loads the config and returns the ConfigError it must throw. */
function configError(): ConfigError {
  try {
    loadConfig(dir, catalog);
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    return err as ConfigError;
  }
  throw new Error('expected loadConfig to throw a ConfigError');
}

describe('configuration loading', () => {
  describe('a valid configuration', () => {
    it('loads hub.json and every partner file, partners keyed by country', () => {
      const config = loadConfig(dir, catalog);
      expect(config.hub.identity).toEqual({ country: 'ZZ', agency: 'TRACEHUB' });
      expect([...config.partners.keys()]).toEqual(['DE', 'FR', 'GB', 'IT', 'US']);
      expect(config.partners.get('FR')?.ncb.agency).toBe('NCB-PARIS');
    });

    it('ignores files in partners/ that are not .json', () => {
      write('partners/README.txt', 'not a partner');
      expect([...loadConfig(dir, catalog).partners.keys()]).toEqual(['DE', 'FR', 'GB', 'IT', 'US']);
    });

    it('puts a partner\'s messages in its retention class, others in the default class', () => {
      edit('partners/DE.json', (d) => (d.retentionClass = 'short'));
      edit('partners/US.json', (d) => delete d.retentionClass);
      const config = loadConfig(dir, catalog);
      expect(retentionClassOf(config, 'DE')).toBe('short');
      expect(retentionClassOf(config, 'US')).toBe('standard');
      expect(retentionClassOf(config, 'JP')).toBe('standard');
      expect(retentionClassOf(config, null)).toBe('standard');
    });
  });

  describe('a partner file with a wrong field', () => {
    it('names the file, the JSON pointer of the field and the problem', () => {
      edit('partners/DE.json', (d) => ((d.replies as Json).channel = 'fax'));
      const err = configError();
      expect(err.file).toMatch(/partners[\\/]DE\.json$/);
      expect(err.problems).toEqual([{ pointer: '/replies/channel', message: 'must be one of: rest, amqp, sftp, webhook' }]);
      expect(err.message).toContain('DE.json');
      expect(err.message).toContain('/replies/channel: must be one of: rest, amqp, sftp, webhook');
    });

    it('names a missing field by its pointer', () => {
      edit('partners/FR.json', (d) => delete (d.ncb as Json).agency);
      const err = configError();
      expect(err.file).toMatch(/FR\.json$/);
      expect(err.message).toContain('/ncb/agency: is required');
    });

    it('names an unknown field by its pointer', () => {
      edit('partners/US.json', (d) => (d.timezone = 'EST'));
      const err = configError();
      expect(err.file).toMatch(/US\.json$/);
      expect(err.problems).toEqual([{ pointer: '/timezone', message: 'is not an allowed property' }]);
    });
  });

  describe('rules that span fields and files', () => {
    it('refuses a partner file whose name does not match its country', () => {
      const de = read('partners/DE.json');
      unlinkSync(join(dir, 'partners/DE.json'));
      write('partners/AT.json', de);
      const err = configError();
      expect(err.file).toMatch(/AT\.json$/);
      expect(err.problems).toEqual([{ pointer: '/country', message: 'is "DE" but the file is named AT.json; name it DE.json' }]);
    });

    it('refuses a partner with the hub\'s own identity country', () => {
      write('partners/ZZ.json', { ...read('partners/FR.json'), country: 'ZZ' });
      const err = configError();
      expect(err.file).toMatch(/ZZ\.json$/);
      expect(err.problems[0]?.pointer).toBe('/country');
      expect(err.problems[0]?.message).toContain("hub's own identity country");
    });

    it('refuses a partner retention class that hub.json does not define, listing the classes there are', () => {
      edit('partners/DE.json', (d) => (d.retentionClass = 'forever'));
      const err = configError();
      expect(err.file).toMatch(/DE\.json$/);
      expect(err.problems).toEqual([{ pointer: '/retentionClass', message: '"forever" is not a retention class in hub.json (standard, short)' }]);
    });

    // Documents a bug: the class lookup `classes[name]` also finds properties inherited from
    // Object.prototype, so "constructor", "toString", "hasOwnProperty"... pass as defined classes.
    it.each(['constructor', 'toString'])('refuses the partner retention class "%s", which hub.json does not define', (name) => {
      edit('partners/DE.json', (d) => (d.retentionClass = name));
      expect(configError().problems).toEqual([
        { pointer: '/retentionClass', message: `"${name}" is not a retention class in hub.json (standard, short)` },
      ]);
    });

    it('refuses a hub.json whose default retention class is not among its classes', () => {
      edit('hub.json', (d) => ((d.retention as Json).defaultClass = 'archive'));
      const err = configError();
      expect(err.file).toMatch(/hub\.json$/);
      expect(err.problems).toEqual([{ pointer: '/retention/defaultClass', message: 'names class "archive", which /retention/classes does not define' }]);
    });

    // Documents the same prototype-lookup bug for hub.json's defaultClass.
    it('refuses the default retention class "constructor", which hub.json does not define', () => {
      edit('hub.json', (d) => ((d.retention as Json).defaultClass = 'constructor'));
      expect(configError().problems).toEqual([
        { pointer: '/retention/defaultClass', message: 'names class "constructor", which /retention/classes does not define' },
      ]);
    });
  });

  describe('files that are not valid', () => {
    it('refuses a partner file that is not valid JSON, naming the file', () => {
      write('partners/FR.json', '{ "country": "FR", ');
      const err = configError();
      expect(err.file).toMatch(/FR\.json$/);
      expect(err.problems).toHaveLength(1);
      expect(err.problems[0]!.message).toMatch(/^is not valid JSON: /);
      expect(err.message).toMatch(/FR\.json:\n {2}\/: is not valid JSON/);
    });

    it('refuses a hub.json that is not valid JSON', () => {
      write('hub.json', 'identity: ZZ');
      expect(configError().file).toMatch(/hub\.json$/);
    });

    it('refuses a missing hub.json, saying it cannot be read', () => {
      unlinkSync(join(dir, 'hub.json'));
      const err = configError();
      expect(err.file).toMatch(/hub\.json$/);
      expect(err.problems).toEqual([{ pointer: '', message: 'cannot be read (ENOENT)' }]);
    });

    it('refuses a hub.json field out of range, naming the field', () => {
      edit('hub.json', (d) => ((d.xml as Json).maxDepth = 1));
      const err = configError();
      expect(err.file).toMatch(/hub\.json$/);
      expect(err.problems).toEqual([{ pointer: '/xml/maxDepth', message: 'must be >= 4' }]);
    });
  });
});
