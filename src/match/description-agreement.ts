import type { FirearmDescription } from '../messages/generated-types.js';
import type { ReferenceCatalogue, Resolution } from '../reference/reference-catalogue.js';
import { normaliseMakeText } from '../reference/reference-text.js';

/**
 * How the rest of the description agrees once a serial has made a record a candidate. Serials are
 * unique per maker only (27 CFR 478.92) and makers' ranges overlap, so the make carries most of the
 * weight; calibre, type, country of manufacture and model confirm or weaken. Every comparison is
 * between reference ids, never raw text, and a make or calibre nobody could map is "unknown", which
 * weakens a hit less than a disagreement does.
 */
export type Verdict = 'same' | 'compatible' | 'possible' | 'related' | 'unknown' | 'different';

export interface FieldAgreement {
  field: 'make' | 'calibre' | 'type' | 'countryOfManufacture' | 'model';
  verdict: Verdict;
  /** Multiplier on the serial's evidence: 1 when the field agrees or says nothing. */
  factor: number;
  explanation: string;
}

export interface ResolvedFirearm {
  serials: { value: string; partial?: boolean }[];
  makeText: string;
  make: Resolution;
  calibreText: string;
  calibre: Resolution;
  typeText: string;
  type: Resolution;
  model: string | undefined;
  countryOfManufacture: string | undefined;
}

/** Factors per verdict and field. A different make alone takes a perfect serial below any strong threshold. */
export const AGREEMENT_FACTORS = {
  make: { same: 1, compatible: 0.85, possible: 0.92, related: 0.85, unknown: 0.82, different: 0.45 },
  calibre: { same: 1, compatible: 1, possible: 0.97, related: 0.9, unknown: 0.93, different: 0.6 },
  type: { same: 1, compatible: 0.98, possible: 0.97, related: 0.9, unknown: 0.96, different: 0.75 },
  countryOfManufacture: { same: 1, compatible: 1, possible: 1, related: 1, unknown: 1, different: 0.85 },
  model: { same: 1, compatible: 1, possible: 1, related: 1, unknown: 1, different: 0.93 },
} as const satisfies Record<FieldAgreement['field'], Record<Verdict, number>>;

const UNKNOWN_MAKE = 'unknown';

export function resolveFirearm(firearm: FirearmDescription, reference: ReferenceCatalogue): ResolvedFirearm {
  return {
    serials: firearm.serials.map((s) => ({ value: s.value, partial: s.partial === true })),
    makeText: firearm.make,
    make: reference.resolveMake(firearm.make),
    calibreText: firearm.calibre,
    calibre: reference.resolveCalibre(firearm.calibre),
    typeText: firearm.type,
    type: reference.resolveType(firearm.type),
    model: firearm.model,
    countryOfManufacture: firearm.countryOfManufacture,
  };
}

function ids(r: Resolution): string[] {
  return r.status === 'mapped' ? [r.id] : r.status === 'ambiguous' ? r.candidates : [];
}

function agreement(field: FieldAgreement['field'], verdict: Verdict, explanation: string): FieldAgreement {
  return { field, verdict, factor: AGREEMENT_FACTORS[field][verdict], explanation };
}

function compareMake(a: ResolvedFirearm, b: ResolvedFirearm, reference: ReferenceCatalogue): FieldAgreement {
  const said = `seized "${a.makeText}", recorded "${b.makeText}"`;
  const known = (r: Resolution) => r.status !== 'unmapped' && !(r.status === 'mapped' && r.id === UNKNOWN_MAKE);
  if (!known(a.make) || !known(b.make)) {
    const ta = normaliseMakeText(a.makeText);
    if (ta !== '' && ta === normaliseMakeText(b.makeText) && known(a.make) === known(b.make) && a.make.status === 'unmapped') {
      return agreement('make', 'same', `make written identically, though not in the reference table (${said})`);
    }
    return agreement('make', 'unknown', `make not comparable (${said})`);
  }
  if (a.make.status === 'mapped' && b.make.status === 'mapped') {
    if (a.make.id === b.make.id) return agreement('make', 'same', `same maker ${reference.manufacturer(a.make.id)?.name ?? a.make.id} (${said})`);
    const ma = reference.manufacturer(a.make.id);
    const mb = reference.manufacturer(b.make.id);
    if (ma && mb && (ma.parent === mb.id || mb.parent === ma.id || (ma.parent !== undefined && ma.parent === mb.parent))) {
      return agreement('make', 'related', `makers of one group, different plants: ${ma.name} / ${mb.name}; serials are unique per maker only (${said})`);
    }
    return agreement('make', 'different', `different makers: ${ma?.name ?? a.make.id} / ${mb?.name ?? b.make.id}; serials are unique per maker only (${said})`);
  }
  const shared = ids(a.make).filter((id) => ids(b.make).includes(id));
  return shared.length > 0
    ? agreement('make', 'possible', `make may agree: an ambiguous name covers both (${said})`)
    : agreement('make', 'different', `makes do not overlap (${said})`);
}

function compareCalibre(a: ResolvedFirearm, b: ResolvedFirearm, reference: ReferenceCatalogue): FieldAgreement {
  const said = `seized "${a.calibreText}", recorded "${b.calibreText}"`;
  if (a.calibre.status === 'mapped' && b.calibre.status === 'mapped') {
    const c = reference.compareCalibres(a.calibre.id, b.calibre.id);
    if (c === 'same') return agreement('calibre', 'same', `same calibre ${reference.calibre(a.calibre.id)?.name ?? a.calibre.id} (${said})`);
    if (c === 'related') return agreement('calibre', 'related', `related but distinct cartridges (${said})`);
    return agreement('calibre', 'different', `different cartridges (${said})`);
  }
  const ia = ids(a.calibre);
  const ib = ids(b.calibre);
  if (ia.length === 0 || ib.length === 0) return agreement('calibre', 'unknown', `calibre not comparable (${said})`);
  return ia.some((id) => ib.includes(id))
    ? agreement('calibre', 'possible', `calibre may agree: an ambiguous designation covers both (${said})`)
    : agreement('calibre', 'different', `calibres do not overlap (${said})`);
}

function compareType(a: ResolvedFirearm, b: ResolvedFirearm, reference: ReferenceCatalogue): FieldAgreement {
  const said = `seized "${a.typeText}", recorded "${b.typeText}"`;
  if (a.type.status !== 'mapped' || b.type.status !== 'mapped') return agreement('type', 'unknown', `type not comparable (${said})`);
  if (a.type.id === b.type.id) return agreement('type', 'same', `same type (${said})`);
  const ta = reference.type(a.type.id);
  const tb = reference.type(b.type.id);
  if (ta && tb && ta.ncicCategory === tb.ncicCategory) {
    // A generic entry (no NCIC TYP) names only the category: it fits any type within it.
    if (!ta.ncicTyp || !tb.ncicTyp) return agreement('type', 'compatible', `same NCIC category ${ta.ncicCategory}, one side names no action (${said})`);
    return agreement('type', 'related', `same NCIC category ${ta.ncicCategory}, different action (${said})`);
  }
  return agreement('type', 'different', `different types (${said})`);
}

function compareCountry(a: ResolvedFirearm, b: ResolvedFirearm): FieldAgreement {
  if (!a.countryOfManufacture || !b.countryOfManufacture) return agreement('countryOfManufacture', 'unknown', 'country of manufacture not given on both sides');
  return a.countryOfManufacture === b.countryOfManufacture
    ? agreement('countryOfManufacture', 'same', `made in ${a.countryOfManufacture} on both sides`)
    : agreement('countryOfManufacture', 'different', `country of manufacture differs: seized ${a.countryOfManufacture}, recorded ${b.countryOfManufacture}`);
}

function modelKey(model: string): string {
  return model.normalize('NFKC').toUpperCase().replace(/[^\p{L}\p{N}]/gu, '');
}

function compareModel(a: ResolvedFirearm, b: ResolvedFirearm): FieldAgreement {
  if (!a.model || !b.model) return agreement('model', 'unknown', 'model not given on both sides');
  const ka = modelKey(a.model);
  const kb = modelKey(b.model);
  if (ka === '' || kb === '') return agreement('model', 'unknown', 'model not given on both sides');
  // "G17" and "17", "Model 19" and "19": one naming inside the other is the same model written differently.
  if (ka === kb || ka.includes(kb) || kb.includes(ka)) return agreement('model', 'same', `model agrees (seized "${a.model}", recorded "${b.model}")`);
  return agreement('model', 'different', `model differs (seized "${a.model}", recorded "${b.model}")`);
}

/** Every field's agreement between a seized firearm and a recorded one. */
export function compareDescriptions(seized: ResolvedFirearm, recorded: ResolvedFirearm, reference: ReferenceCatalogue): FieldAgreement[] {
  return [
    compareMake(seized, recorded, reference),
    compareCalibre(seized, recorded, reference),
    compareType(seized, recorded, reference),
    compareCountry(seized, recorded),
    compareModel(seized, recorded),
  ];
}
