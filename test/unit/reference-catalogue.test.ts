import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ConfigError } from '../../src/config/config-error.js';
import { loadSchemaCatalog } from '../../src/messages/schema-catalog.js';
import { defaultReferenceDir, loadReferenceCatalogue, type ReferenceCatalogue, type Resolution } from '../../src/reference/reference-catalogue.js';

const catalog = loadSchemaCatalog();
let reference: ReferenceCatalogue;

beforeAll(() => {
  reference = loadReferenceCatalogue(defaultReferenceDir(), catalog);
});

/** The id a text maps to, or a description of why it does not map (so a failure shows it). */
function idOf(resolution: Resolution): string {
  if (resolution.status === 'mapped') return resolution.id;
  return resolution.status === 'ambiguous' ? `ambiguous: ${resolution.candidates.join(', ')}` : 'unmapped';
}
const make = (text: string) => idOf(reference.resolveMake(text));
const calibre = (text: string) => idOf(reference.resolveCalibre(text));
const type = (text: string) => idOf(reference.resolveType(text));

describe('the shipped reference data', () => {
  it('loads and is large enough to be useful', () => {
    const counts = reference.counts();
    expect(counts.manufacturers).toBeGreaterThanOrEqual(200);
    expect(counts.calibres).toBeGreaterThanOrEqual(150);
    expect(counts.types).toBeGreaterThanOrEqual(30);
    expect(counts.actions).toBeGreaterThanOrEqual(10);
  });

  it('looks entries up by id', () => {
    expect(reference.manufacturer('smith-wesson')).toMatchObject({ name: 'Smith & Wesson', country: 'US' });
    expect(reference.calibre('9x19mm')).toMatchObject({ name: '9mm Luger', kind: 'cartridge' });
    expect(reference.type('revolver')).toMatchObject({ ncicTyp: 'PR' });
    expect(reference.action('bolt-action')).toMatchObject({ ncicCharacteristic: 'B' });
    expect(reference.manufacturer('no-such-maker')).toBeUndefined();
  });
});

describe('resolving makes', () => {
  it.each([
    ['Smith & Wesson', 'smith-wesson'],
    ['S&W', 'smith-wesson'],
    ['Smith and Wesson', 'smith-wesson'],
    ['SMITH AND WESSON', 'smith-wesson'],
    ['SMITH & WESSON INC', 'smith-wesson'],
    ['Smith & Wesson Corp', 'smith-wesson'],
    ['H&K', 'heckler-koch'],
    ['HK', 'heckler-koch'],
    ['Heckler & Koch', 'heckler-koch'],
    ['Heckler und Koch', 'heckler-koch'],
    ['CZ', 'cz-ub'],
    ['Česká zbrojovka', 'cz-ub'],
    ['Ceska Zbrojovka', 'cz-ub'],
    ['CZUB', 'cz-ub'],
    ['CZ-UB', 'cz-ub'],
    ['FN', 'fn-herstal'],
    ['FN Herstal', 'fn-herstal'],
    ['Fabrique Nationale', 'fn-herstal'],
    ['Sturm, Ruger & Co.', 'sturm-ruger'],
    ['Ruger', 'sturm-ruger'],
    ['Beretta', 'pietro-beretta'],
    ['Fabbrica d’Armi Pietro Beretta S.p.A.', 'pietro-beretta'],
    ['Izhmash', 'kalashnikov-concern'],
    ['Baikal', 'izhmekh'],
    ['Norinco', 'norinco'],
    ['Zastava Oružje', 'zastava'],
    ['Taurus', 'taurus'],
    ['IWI', 'iwi'],
  ])('%s -> %s', (text, id) => {
    expect(make(text)).toBe(id);
  });

  it('reports how a text matched: canonical name, alias or NCIC code', () => {
    expect(reference.resolveMake('Smith & Wesson')).toEqual({ input: 'Smith & Wesson', status: 'mapped', id: 'smith-wesson', via: 'name' });
    expect(reference.resolveMake('S&W')).toMatchObject({ via: 'alias' });
    expect(reference.resolveMake('AEI')).toEqual({ input: 'AEI', status: 'mapped', id: 'bersa', via: 'code' });
  });

  it('accepts NCIC make codes in any case', () => {
    expect(make('GLC')).toBe('glock-gmbh');
    expect(make('gld')).toBe('glock-inc');
    expect(make(' aei ')).toBe('bersa');
    expect(make('ZZZ')).toBe('unknown');
  });

  it('keeps Glock GmbH (Austria, GLC) and Glock, Inc. (USA, GLD) apart, and a bare "Glock" names both', () => {
    expect(make('Glock GmbH')).toBe('glock-gmbh');
    expect(make('Glock Ges.m.b.H.')).toBe('glock-gmbh');
    expect(make('Glock, Inc.')).toBe('glock-inc');
    expect(make('GLOCK INC SMYRNA GA')).toBe('glock-inc');
    expect(reference.manufacturer('glock-gmbh')).toMatchObject({ country: 'AT', ncicCode: 'GLC' });
    expect(reference.manufacturer('glock-inc')).toMatchObject({ country: 'US', ncicCode: 'GLD' });
    expect(reference.resolveMake('Glock')).toEqual({ input: 'Glock', status: 'ambiguous', candidates: ['glock-gmbh', 'glock-inc'] });
  });

  it('keeps American Derringer Corp. and American Derringer Co. apart', () => {
    expect(make('American Derringer Corp.')).toBe('american-derringer-corp');
    expect(make('American Derringer Co.')).toBe('american-derringer-co');
    expect(make('American Derringer')).toBe('ambiguous: american-derringer-co, american-derringer-corp');
  });

  it('never maps a brand made by several makers to one of them', () => {
    expect(make('SIG Sauer')).toBe('ambiguous: sig-sauer-gmbh, sig-sauer-inc');
    expect(make('Springfield Armory')).toBe('ambiguous: springfield-armory-inc, springfield-armory-us');
    expect(make('SIG Sauer, Inc.')).toBe('sig-sauer-inc');
  });

  it('leaves a text that names no maker unmapped, to be listed for an administrator', () => {
    expect(reference.resolveMake('Acme Blasters of Nowhere')).toEqual({ input: 'Acme Blasters of Nowhere', status: 'unmapped' });
    expect(reference.resolveMake('')).toEqual({ input: '', status: 'unmapped' });
    expect(make('Kalashnikov')).toBe('unmapped'); // a design made in many countries, not one maker
  });
});

describe('resolving calibres', () => {
  it.each([
    ['9mm Luger', '9x19mm'],
    ['9mm Para', '9x19mm'],
    ['9mm Parabellum', '9x19mm'],
    ['9x19', '9x19mm'],
    ['9×19mm', '9x19mm'],
    ['9 mm NATO', '9x19mm'],
    ['.380 ACP', '380-acp'],
    ['.380 Auto', '380-acp'],
    ['380 ACP', '380-acp'],
    ['9mm Kurz', '380-acp'],
    ['9mm Short', '380-acp'],
    ['9x17mm', '380-acp'],
    ['.32 ACP', '32-acp'],
    ['7.65mm Browning', '32-acp'],
    ['7.65x17mm', '32-acp'],
    ['7.92x57', '7.92x57-mauser'],
    ['8x57 Mauser', '7.92x57-mauser'],
    ['8mm Mauser', '7.92x57-mauser'],
    ['12 gauge', '12-gauge'],
    ['12 ga', '12-gauge'],
    ['12GA', '12-gauge'],
    ['12 bore', '12-gauge'],
    ['Cal. 12', '12-gauge'],
    ['7,62х39', '7.62x39mm'],
    ['.410', '410-bore'],
  ])('%s -> %s', (text, id) => {
    expect(calibre(text)).toBe(id);
  });

  it.each([
    ['9x18 Makarov', '9x19'],
    ['9x21 IMI', '9x19'],
    ['.38 Special', '.357 Magnum'],
    ['7.62x39', '7.62x51'],
    ['7.62x54R', '7.62x53R'],
    ['7.62x54R', '7.62x51'],
    ['.455 Webley', '.45 ACP'],
    ['.380 ACP', '9x18 Makarov'],
    ['.45 ACP', '.45 Colt'],
    ['.40 S&W', '10mm Auto'],
    ['9mm P.A.K.', '9mm Luger'],
  ])('never merges the near-names %s and %s', (a, b) => {
    const [ida, idb] = [calibre(a), calibre(b)];
    expect(reference.calibre(ida)).toBeDefined();
    expect(reference.calibre(idb)).toBeDefined();
    expect(ida).not.toBe(idb);
    expect(reference.compareCalibres(ida, idb)).not.toBe('same');
  });

  it('says the listed never-merge pairs are distinct', () => {
    expect(reference.compareCalibres('9x18-makarov', '9x19mm')).toBe('distinct');
    expect(reference.compareCalibres('9x21mm', '9x19mm')).toBe('distinct');
    expect(reference.compareCalibres('38-special', '357-magnum')).toBe('distinct');
    expect(reference.compareCalibres('7.62x39mm', '7.62x51mm-nato')).toBe('distinct');
    expect(reference.calibre('9x19mm')?.distinctFrom).toEqual(expect.arrayContaining(['9x18-makarov', '9x21mm']));
  });

  it('says military and commercial counterparts are related, in either order, but not the same', () => {
    expect(reference.compareCalibres(calibre('5.56 NATO'), calibre('.223 Rem'))).toBe('related');
    expect(reference.compareCalibres('223-remington', '5.56x45mm-nato')).toBe('related');
    expect(reference.compareCalibres(calibre('7.62x51mm NATO'), calibre('.308 Win'))).toBe('related');
    expect(reference.compareCalibres('7.62x54r', '7.62x53r')).toBe('related');
    expect(reference.compareCalibres('9x19mm', '9x19mm')).toBe('same');
  });

  it('refuses to compare an id it does not know', () => {
    expect(() => reference.compareCalibres('9x19mm', '9mm')).toThrow(/"9mm" is not a calibre id/);
  });

  it('resolves "9mm" as ambiguous, never to one cartridge', () => {
    const resolution = reference.resolveCalibre('9mm');
    expect(resolution.status).toBe('ambiguous');
    expect(resolution.status === 'ambiguous' && resolution.candidates).toEqual(expect.arrayContaining(['9x19mm', '9x18-makarov', '380-acp']));
    expect(reference.resolveCalibre('9 mm').status).toBe('ambiguous');
  });

  it.each(['7.62', '7.62mm', '7.65', '.22', '.38', '.357', '.45', '9x21', '8mm', '5.56/.223'])('resolves "%s" as ambiguous', (text) => {
    expect(reference.resolveCalibre(text).status).toBe('ambiguous');
  });

  it('leaves an unknown designation unmapped', () => {
    expect(reference.resolveCalibre('.999 Imaginary Magnum')).toEqual({ input: '.999 Imaginary Magnum', status: 'unmapped' });
  });
});

describe('resolving types', () => {
  it('maps NCIC TYP codes (category + characteristic) in any case', () => {
    expect(type('PI')).toBe('semi-automatic-pistol');
    expect(type('pr')).toBe('revolver');
    expect(type('PD')).toBe('derringer');
    expect(type('RB')).toBe('bolt-action-rifle');
    expect(type('RI')).toBe('semi-automatic-rifle');
    expect(type('RA')).toBe('automatic-rifle');
    expect(type('SP')).toBe('pump-action-shotgun');
    expect(type('SO')).toBe('over-under-shotgun');
    expect(reference.resolveType('PI')).toMatchObject({ via: 'code' });
  });

  it('maps a bare category letter to the generic type of that category', () => {
    expect(type('P')).toBe('pistol');
    expect(type('R')).toBe('rifle');
    expect(type('S')).toBe('shotgun');
  });

  it.each([
    ['pistol', 'pistol'],
    ['handgun', 'pistol'],
    ['revolver', 'revolver'],
    ['semi-automatic pistol', 'semi-automatic-pistol'],
    ['Semi Automatic Pistol', 'semi-automatic-pistol'],
    ['assault rifle', 'automatic-rifle'],
    ['pump action shotgun', 'pump-action-shotgun'],
    ['over and under shotgun', 'over-under-shotgun'],
    ['submachine gun', 'submachine-gun'],
    ['silencer', 'silencer'],
    ['blank-firing pistol', 'blank-firing-pistol'],
  ])('%s -> %s', (text, id) => {
    expect(type(text)).toBe(id);
  });

  it('resolves a type name that covers several types as ambiguous', () => {
    expect(type('gas pistol')).toBe('ambiguous: air-pistol, blank-firing-pistol, tear-gas-pistol');
    expect(reference.resolveType('automatic pistol').status).toBe('ambiguous');
  });

  it('maps actions by name, alias or NCIC characteristic code', () => {
    expect(idOf(reference.resolveAction('semi-auto'))).toBe('semi-automatic');
    expect(idOf(reference.resolveAction('B'))).toBe('bolt-action');
    expect(idOf(reference.resolveAction('pump'))).toBe('pump-action');
  });

  it('leaves an unknown type unmapped', () => {
    expect(reference.resolveType('laser blaster').status).toBe('unmapped');
  });
});

describe('broken reference files', () => {
  let dir: string;
  type Json = Record<string, unknown> & { manufacturers: Record<string, unknown>[]; calibres: Record<string, unknown>[] };

  const copy = () => {
    dir = mkdtempSync(join(tmpdir(), 'tracehub-reference-'));
    cpSync(defaultReferenceDir(), dir, { recursive: true });
  };
  const edit = (file: string, change: (doc: Json) => void) => {
    const doc = JSON.parse(readFileSync(join(dir, file), 'utf8')) as Json;
    change(doc);
    writeFileSync(join(dir, file), JSON.stringify(doc, null, 2));
  };
  const loadError = (): ConfigError => {
    try {
      loadReferenceCatalogue(dir, catalog);
    } catch (err) {
      expect(err).toBeInstanceOf(ConfigError);
      return err as ConfigError;
    }
    throw new Error('expected loadReferenceCatalogue to throw a ConfigError');
  };
  const indexOf = (list: Record<string, unknown>[], id: string) => list.findIndex((e) => e.id === id);

  afterEach(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  it('loads an unchanged copy', () => {
    copy();
    expect(loadReferenceCatalogue(dir, catalog).counts()).toEqual(reference.counts());
  });

  it('names the file and field of a schema violation', () => {
    copy();
    edit('manufacturers.json', (doc) => {
      doc.manufacturers[3]!.country = 'United States';
    });
    const err = loadError();
    expect(err.file).toMatch(/manufacturers\.json$/);
    expect(err.problems).toContainEqual(expect.objectContaining({ pointer: '/manufacturers/3/country' }));
    expect(err.message).toContain('/manufacturers/3/country');
  });

  it('refuses a field the schema does not define', () => {
    copy();
    edit('calibres.json', (doc) => {
      doc.calibres[0]!.bulletDiameter = 0.224;
    });
    const err = loadError();
    expect(err.file).toMatch(/calibres\.json$/);
    expect(err.problems).toContainEqual({ pointer: '/calibres/0/bulletDiameter', message: 'is not an allowed property' });
  });

  it('refuses an alias given to two makers, naming both', () => {
    copy();
    let at = -1;
    edit('manufacturers.json', (doc) => {
      at = indexOf(doc.manufacturers, 'colt');
      (doc.manufacturers[at]!.aliases as string[]).push('Smith and Wesson');
    });
    const err = loadError();
    expect(err.file).toMatch(/manufacturers\.json$/);
    const problem = err.problems.find((p) => p.pointer.startsWith(`/manufacturers/${at}/aliases/`));
    expect(problem?.message).toMatch(/"colt"/);
    expect(problem?.message).toMatch(/"smith-wesson"/);
  });

  it('refuses to make a bare brand an alias of one plant when it also names another', () => {
    copy();
    let at = -1;
    edit('manufacturers.json', (doc) => {
      at = indexOf(doc.manufacturers, 'glock-gmbh');
      (doc.manufacturers[at]!.aliases as string[]).push('Glock');
    });
    const err = loadError();
    const problem = err.problems.find((p) => p.pointer.startsWith(`/manufacturers/${at}/aliases/`));
    expect(problem?.message).toMatch(/"glock-gmbh".*"glock-inc"/);
  });

  it('refuses an alias that is an ambiguous designation', () => {
    copy();
    edit('calibres.json', (doc) => {
      (doc.calibres[indexOf(doc.calibres, '9x19mm')]!.aliases as string[]).push('9 mm');
    });
    const err = loadError();
    expect(err.file).toMatch(/calibres\.json$/);
    expect(err.message).toMatch(/ambiguous designation at \/ambiguous\/9mm/);
  });

  it('refuses distinctFrom and relatedTo ids that do not exist', () => {
    copy();
    let at = -1;
    edit('calibres.json', (doc) => {
      at = indexOf(doc.calibres, '9x19mm');
      doc.calibres[at]!.distinctFrom = ['9x18-makarof'];
      doc.calibres[at]!.relatedTo = ['9x19-nato'];
    });
    const err = loadError();
    expect(err.problems).toContainEqual({ pointer: `/calibres/${at}/distinctFrom/0`, message: '"9x18-makarof" is not the id of another calibre' });
    expect(err.problems).toContainEqual({ pointer: `/calibres/${at}/relatedTo/0`, message: '"9x19-nato" is not the id of another calibre' });
  });

  it('refuses an ambiguous designation whose candidate does not exist', () => {
    copy();
    edit('calibres.json', (doc) => {
      (doc.ambiguous as Record<string, string[]>)['9mm'] = ['9x19mm', '9x99mm'];
    });
    expect(loadError().problems).toContainEqual({ pointer: '/ambiguous/9mm/1', message: '"9x99mm" is not the id of any calibre' });
  });

  it('refuses a TYP code whose characteristic is not an NCIC characteristic', () => {
    copy();
    let at = -1;
    edit('firearm-types.json', (doc) => {
      const types = doc.types as Record<string, unknown>[];
      at = indexOf(types, 'revolver');
      types[at]!.ncicTyp = 'PY';
    });
    const err = loadError();
    expect(err.file).toMatch(/firearm-types\.json$/);
    expect(err.problems).toContainEqual(expect.objectContaining({ pointer: `/types/${at}/ncicTyp` }));
  });

  it('reports a file that is not JSON', () => {
    copy();
    writeFileSync(join(dir, 'calibres.json'), '{ "calibres": [');
    const err = loadError();
    expect(err.file).toMatch(/calibres\.json$/);
    expect(err.problems[0]?.message).toMatch(/not valid JSON/);
  });

  it('takes a new alias from the data alone', () => {
    copy();
    expect(loadReferenceCatalogue(dir, catalog).resolveMake('Smitty Wesson').status).toBe('unmapped');
    edit('manufacturers.json', (doc) => {
      (doc.manufacturers[indexOf(doc.manufacturers, 'smith-wesson')]!.aliases as string[]).push('Smitty Wesson');
    });
    expect(loadReferenceCatalogue(dir, catalog).resolveMake('SMITTY WESSON')).toMatchObject({ status: 'mapped', id: 'smith-wesson', via: 'alias' });
  });
});
