import type { FirearmType } from '../reference/reference-catalogue.js';

/**
 * The firearm classes of UNODC's Illicit Arms Flows Questionnaire and Global Study tables
 * ("firearms seized by type"), from a reference type: its NCIC category, and its full NCIC code
 * for revolvers, which NCIC files as pistols (PR). Everything the study does not break out (air
 * guns count as pistols or rifles by form, as NCIC files them; combination guns, launchers,
 * silencers...) is 'other'; a firearm whose type was not recognised is 'unknown'.
 */
export const UNODC_TYPE_CLASSES = ['pistol', 'revolver', 'rifle', 'shotgun', 'submachine-gun', 'machine-gun', 'other', 'unknown'] as const;
export type UnodcTypeClass = (typeof UNODC_TYPE_CLASSES)[number];

const BY_CATEGORY: Record<string, UnodcTypeClass> = { P: 'pistol', R: 'rifle', S: 'shotgun', B: 'submachine-gun', M: 'machine-gun' };

export function unodcTypeClass(type: Pick<FirearmType, 'ncicCategory' | 'ncicTyp'> | undefined): UnodcTypeClass {
  if (!type) return 'unknown';
  if (type.ncicTyp === 'PR') return 'revolver';
  return BY_CATEGORY[type.ncicCategory] ?? 'other';
}
