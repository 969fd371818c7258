import { describe, expect, it } from 'vitest';
import { canonicalXml } from '../../adapters/formats/canonical-xml.js';
import { adapterContext } from './adapter-context.js';

/**
 * Numbers in canonical XML: an element the schema types as a number is read as one only when it
 * is written in decimal. Anything else that JavaScript's Number() would read (hexadecimal,
 * binary, Infinity) stays text, so validation rejects it and names the field.
 */
const ctx = adapterContext();

function recordWithYear(year: string): string {
  return `<message xmlns="urn:tracehub:message:1"><messageId>IT-YEAR-1</messageId><type>record.upsert</type><sender><country>IT</country><agency>NCB-ROMA</agency></sender><sentAt>2025-03-01T09:00:00Z</sentAt><payload><ownerReference>R</ownerReference><status>LOST</status><firearm><serials><value>S</value></serials><make>Beretta</make><calibre>9mm</calibre><type>pistol</type><yearOfManufacture>${year}</yearOfManufacture></firearm><event><date>2025-01-05</date><caseNumber>C</caseNumber></event></payload></message>`;
}

function yearOf(year: string): { value: unknown; errors: string[] } {
  const outcome = canonicalXml.normalise(Buffer.from(recordWithYear(year)), ctx);
  if (!outcome.ok) throw new Error(JSON.stringify(outcome.errors));
  const payload = (outcome.envelope as { payload: { firearm: { yearOfManufacture: unknown } } }).payload;
  const errors = ctx.catalog.check('urn:tracehub:schema:record.upsert', payload, '/payload').map((e) => e.pointer ?? '');
  return { value: payload.firearm.yearOfManufacture, errors };
}

describe('numbers in canonical XML', () => {
  it('reads a decimal number, surrounding whitespace aside', () => {
    expect(yearOf('1999')).toEqual({ value: 1999, errors: [] });
    expect(yearOf(' 1999\n')).toEqual({ value: 1999, errors: [] });
  });

  it('leaves hexadecimal, binary and Infinity as text, which validation rejects at the field', () => {
    for (const text of ['0x7CF', '0b11111001111', 'Infinity']) {
      const { value, errors } = yearOf(text);
      expect(value).toBe(text);
      expect(errors).toContain('/payload/firearm/yearOfManufacture');
    }
  });
});
