import { describe, expect, it } from 'vitest';
import { loadSchemaCatalog } from '../../src/messages/schema-catalog.js';
import { defaultRequestReference, traceRequestFromSeizure, type SeizureTraceInput } from '../../src/traces/trace-from-seizure.js';

const catalog = loadSchemaCatalog();
const TRACE_REQUEST = 'urn:tracehub:schema:trace.request';

const input: SeizureTraceInput = {
  requester: { country: 'FR', agency: 'DOUANE-CDG' },
  addressedTo: { country: 'AT', as: 'country-of-manufacture' },
  firearm: { serials: [{ value: 'BXR-123', obliterated: true, partial: true }], make: 'Glock', calibre: '9mm Luger', type: 'pistol' },
  facts: {
    caseReference: 'DOUANE-2026-881',
    recoveryDate: '2026-11-02',
    circumstances: 'Found in a parcel declared as auto parts',
    illicitBasis: 'unlicensed-transfer',
    legalJustification: 'Import without authorisation',
    intendedUse: 'Customs investigation of the shipment',
    crimeCategory: 'firearms trafficking',
  },
  seizureReference: 'SZ-2026-0007',
};

describe('trace request from a seizure', () => {
  it('builds a valid trace.request carrying the seizure\'s description and case facts', () => {
    const request = traceRequestFromSeizure(input);
    expect(catalog.check(TRACE_REQUEST, request)).toEqual([]);
    expect(request).toEqual({
      requestReference: 'SZ-SZ-2026-0007-AT',
      addressedTo: { country: 'AT', as: 'country-of-manufacture' },
      firearm: input.firearm,
      illicitNature: { basis: 'unlicensed-transfer', legalJustification: 'Import without authorisation' },
      recovery: { date: '2026-11-02', circumstances: 'Found in a parcel declared as auto parts' },
      intendedUse: 'Customs investigation of the shipment',
      priority: 'routine',
      crimeCategory: 'firearms trafficking',
      caseReference: 'DOUANE-2026-881',
      seizureReference: 'SZ-2026-0007',
    });
  });

  it('derives the reference from the case when there is no seizure id, and keeps it within 100 characters', () => {
    expect(defaultRequestReference({ addressedTo: { country: 'US' }, facts: { ...input.facts, caseReference: 'C-1' } })).toBe('SZ-C-1-US');
    expect(defaultRequestReference({ addressedTo: { country: 'US' }, facts: input.facts, seizureReference: 'x'.repeat(200) })).toHaveLength(100);
  });

  it('carries urgency with its justification, which the schema then requires', () => {
    const urgent = traceRequestFromSeizure({ ...input, facts: { ...input.facts, priority: 'urgent' } });
    expect(catalog.check(TRACE_REQUEST, urgent)).toEqual([{ pointer: '/urgentJustification', code: 'schema.required', message: 'is required' }]);
    const justified = traceRequestFromSeizure({ ...input, facts: { ...input.facts, priority: 'urgent', urgentJustification: 'Courier in custody' } });
    expect(catalog.check(TRACE_REQUEST, justified)).toEqual([]);
  });
});
