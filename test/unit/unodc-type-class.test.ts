import { describe, expect, it } from 'vitest';
import { loadReferenceCatalogue } from '../../src/reference/reference-catalogue.js';
import { unodcTypeClass, UNODC_TYPE_CLASSES } from '../../src/statistics/unodc-type-class.js';

const reference = loadReferenceCatalogue();
const classOf = (id: string) => unodcTypeClass(reference.type(id));

describe('UNODC firearm classes of the reference types', () => {
  it('separates revolvers from the other pistols, as the Global Study does', () => {
    expect(['pistol', 'semi-automatic-pistol', 'derringer', 'air-pistol'].map(classOf)).toEqual(['pistol', 'pistol', 'pistol', 'pistol']);
    expect(classOf('revolver')).toBe('revolver');
  });

  it('classes rifles, shotguns, submachine and machine guns by their NCIC category', () => {
    expect(['carbine', 'bolt-action-rifle', 'pump-action-shotgun', 'submachine-gun', 'machine-gun'].map(classOf)).toEqual(['rifle', 'rifle', 'shotgun', 'submachine-gun', 'machine-gun']);
  });

  it("puts what the study does not break out under 'other', and an unrecognised type under 'unknown'", () => {
    expect(['combination-gun', 'grenade-launcher', 'silencer', 'other'].map(classOf)).toEqual(['other', 'other', 'other', 'other']);
    expect(unodcTypeClass(undefined)).toBe('unknown');
  });

  it('gives every reference type one of the classes', () => {
    for (const t of reference.types()) expect(UNODC_TYPE_CLASSES).toContain(unodcTypeClass(t));
    expect(reference.types().length).toBe(reference.counts().types);
  });
});
