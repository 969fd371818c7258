import { describe, expect, it } from 'vitest';
import { parseXmlSync, type XmlNode } from '../../adapters/formats/safe-xml.js';
import { jsonToXmlTree, xmlToJson } from '../../adapters/formats/schema-guided-xml.js';
import { loadSchemaCatalog, type SchemaDocument } from '../../src/messages/schema-catalog.js';

/** A schema with every JSON type, to show how element text is converted. */
const TYPED: SchemaDocument = {
  $id: 'urn:test:schema:typed',
  type: 'object',
  properties: {
    count: { type: 'integer' },
    ratio: { type: 'number' },
    urgent: { type: 'boolean' },
    name: { type: 'string' },
    scores: { type: 'array', items: { type: 'integer' } },
    owner: { $ref: '#/$defs/person' },
    people: { type: 'array', items: { $ref: '#/$defs/person' } },
    recipient: { $ref: 'urn:tracehub:schema:envelope#/$defs/recipient' },
  },
  $defs: {
    person: { type: 'object', properties: { name: { type: 'string' }, age: { type: 'integer' } } },
  },
};

const catalog = loadSchemaCatalog(undefined, [TYPED]);

function convert(xml: string): unknown {
  const parsed = parseXmlSync(xml);
  if (!parsed.ok) throw new Error(parsed.error.message);
  return xmlToJson(parsed.node, { node: TYPED, doc: TYPED }, catalog);
}

describe('schema-guided XML to JSON (xmlToJson)', () => {
  describe('scalar types follow the schema', () => {
    it('converts integer, number and boolean element text to JSON numbers and booleans', () => {
      expect(convert('<r><count>42</count><ratio>0.5</ratio><urgent>true</urgent><name>7</name></r>')).toStrictEqual({
        count: 42,
        ratio: 0.5,
        urgent: true,
        name: '7',
      });
      expect(convert('<r><urgent>false</urgent></r>')).toStrictEqual({ urgent: false });
    });

    it('leaves text that does not fit the type as text, so validation can report it', () => {
      expect(convert('<r><count>many</count><ratio></ratio><urgent>yes</urgent></r>')).toStrictEqual({ count: 'many', ratio: '', urgent: 'yes' });
    });
  });

  describe('arrays and objects follow the schema', () => {
    it('makes an array property an array even for one element, converting each item by the item type', () => {
      expect(convert('<r><scores>3</scores></r>')).toStrictEqual({ scores: [3] });
      expect(convert('<r><scores>3</scores><scores>4</scores></r>')).toStrictEqual({ scores: [3, 4] });
    });

    it('follows local $refs, including to array items', () => {
      expect(convert('<r><owner><name>Ann</name><age>40</age></owner><people><age>1</age></people><people><age>2</age></people></r>')).toStrictEqual({
        owner: { name: 'Ann', age: 40 },
        people: [{ age: 1 }, { age: 2 }],
      });
    });

    it('follows $refs into another schema of the catalog', () => {
      expect(convert('<r><recipient><country>DE</country><agency>BKA</agency></recipient></r>')).toStrictEqual({
        recipient: { country: 'DE', agency: 'BKA' },
      });
    });

    it('gives an empty object for an empty element where an object is expected', () => {
      expect(convert('<r><owner/></r>')).toStrictEqual({ owner: {} });
    });
  });

  describe('what the schema does not know', () => {
    it('carries unknown elements over as text, repeated ones as arrays of text', () => {
      expect(convert('<r><extra>1</extra><more>a</more><more>b</more></r>')).toStrictEqual({ extra: '1', more: ['a', 'b'] });
    });

    it('ignores attributes', () => {
      expect(convert('<r id="9"><name lang="en">Ann</name></r>')).toStrictEqual({ name: 'Ann' });
    });
  });

  it('lets an override supply the schema at a given path (how the envelope payload gets its type\'s schema)', () => {
    const parsed = parseXmlSync('<r><name>x</name><owner><count>5</count></owner></r>');
    if (!parsed.ok) throw new Error(parsed.error.message);
    const counter = { type: 'object', properties: { count: { type: 'integer' } } };
    const out = xmlToJson(parsed.node as XmlNode, { node: TYPED, doc: TYPED }, catalog, (path) =>
      path.length === 1 && path[0] === 'owner' ? { node: counter, doc: counter } : undefined,
    );
    expect(out).toStrictEqual({ name: 'x', owner: { count: 5 } });
  });
});

describe('JSON to XML builder tree (jsonToXmlTree)', () => {
  it('turns arrays into repeated values and scalars into text', () => {
    expect(jsonToXmlTree({ a: [1, 2], b: true, c: 'x', d: { e: 0 } })).toStrictEqual({ a: ['1', '2'], b: 'true', c: 'x', d: { e: '0' } });
  });

  it('leaves out null and undefined properties instead of writing "null"', () => {
    expect(jsonToXmlTree({ a: null, b: undefined, c: 'kept' })).toStrictEqual({ c: 'kept' });
  });
});
