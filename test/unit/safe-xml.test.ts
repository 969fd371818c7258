import { describe, expect, it } from 'vitest';
import { checkXmlSafety, parseXmlSync } from '../../adapters/formats/safe-xml.js';

const limits = { maxDepth: 32, maxBytes: 1_000_000 };

/** `<message>` holding `levels - 1` nested `<a>` elements: `levels` elements deep in all. */
function nested(levels: number, open = '<a>', close = '</a>'): string {
  return `<message>${open.repeat(levels - 1)}${close.repeat(levels - 1)}</message>`;
}

describe('XML safety scan (checkXmlSafety)', () => {
  describe('document type declarations and entities', () => {
    it.each([
      ['internal DTD subset', '<!DOCTYPE message [<!ELEMENT message ANY>]><message/>'],
      ['external DTD', '<!DOCTYPE message SYSTEM "http://evil.example/m.dtd"><message/>'],
      ['lower-case doctype', '<!doctype message><message/>'],
      ['an ENTITY declaration on its own', '<!ENTITY x "y"><message/>'],
    ])('refuses %s with xml.dtd-forbidden', (_label, xml) => {
      expect(checkXmlSafety(xml, limits)).toEqual({
        pointer: '/',
        code: 'xml.dtd-forbidden',
        message: 'document type declarations and entities are not accepted',
      });
    });

    it('accepts a plain document with an XML declaration, comments and processing instructions', () => {
      expect(checkXmlSafety('<?xml version="1.0"?><!-- note --><?pi data?><message><a/></message>', limits)).toBeUndefined();
    });
  });

  describe('size', () => {
    it('accepts a document of exactly the byte limit', () => {
      const xml = '<message></message>';
      expect(checkXmlSafety(xml, { ...limits, maxBytes: Buffer.byteLength(xml) })).toBeUndefined();
    });

    it('refuses one byte more with xml.too-large, naming the limit', () => {
      const xml = '<message></message>';
      expect(checkXmlSafety(xml, { ...limits, maxBytes: Buffer.byteLength(xml) - 1 })).toEqual({
        pointer: '/',
        code: 'xml.too-large',
        message: `exceeds ${Buffer.byteLength(xml) - 1} bytes`,
      });
    });

    it('counts UTF-8 bytes, not characters', () => {
      const xml = `<message>${'é'.repeat(50)}</message>`; // 69 characters, 119 bytes
      expect(xml.length).toBeLessThan(100);
      expect(checkXmlSafety(xml, { ...limits, maxBytes: 100 })?.code).toBe('xml.too-large');
    });
  });

  describe('element depth', () => {
    it('accepts nesting exactly at the limit', () => {
      expect(checkXmlSafety(nested(32), limits)).toBeUndefined();
    });

    it('refuses one level more with xml.too-deep, naming the limit', () => {
      expect(checkXmlSafety(nested(33), limits)).toEqual({ pointer: '/', code: 'xml.too-deep', message: 'nests elements deeper than 32 levels' });
    });

    it('counts depth, not the number of elements: many siblings are fine', () => {
      expect(checkXmlSafety(`<message>${'<a>x</a>'.repeat(1000)}</message>`, limits)).toBeUndefined();
    });

    it('does not count self-closing elements as opening a level', () => {
      expect(checkXmlSafety(`<message>${'<a/>'.repeat(100)}${'<b attr="1" />'.repeat(100)}</message>`, limits)).toBeUndefined();
    });

    it('counts elements that carry attributes and namespace prefixes', () => {
      expect(checkXmlSafety(nested(33, '<p:a xmlns:p="urn:x" id="1">', '</p:a>'), limits)?.code).toBe('xml.too-deep');
    });

    it('ignores tags inside comments and CDATA sections', () => {
      const fake = '<a>'.repeat(100);
      expect(checkXmlSafety(`<message><!-- ${fake} --><b><![CDATA[${fake}]]></b></message>`, limits)).toBeUndefined();
    });

    // Documents a bug: the scan only recognises element names starting with an ASCII letter or
    // underscore, but XML names may start with any Unicode letter (or ':'). Such elements are not
    // counted, so the depth limit can be bypassed.
    it('counts elements whose names start with a non-ASCII letter', () => {
      expect(checkXmlSafety(nested(100, '<é>', '</é>'), limits)?.code).toBe('xml.too-deep');
    });

    // Documents a bug: an attribute value containing "/>" makes the scan take an opening tag for a
    // self-closing one, so the depth limit can be bypassed.
    it('counts an opening tag whose attribute value contains "/>"', () => {
      expect(checkXmlSafety(nested(100, '<a t="/>">', '</a>'), limits)?.code).toBe('xml.too-deep');
    });
  });
});

describe('XML parsing (parseXmlSync)', () => {
  it('returns the root element name and its children, every child as an array', () => {
    expect(parseXmlSync('<message><a>1</a><b><c>x</c></b><b/></message>')).toEqual({
      ok: true,
      root: 'message',
      node: { a: ['1'], b: [{ c: ['x'] }, ''] },
    });
  });

  it('keeps attributes apart from child elements (under $)', () => {
    expect(parseXmlSync('<message xmlns="urn:tracehub:message:1"><a>1</a></message>')).toEqual({
      ok: true,
      root: 'message',
      node: { $: { xmlns: 'urn:tracehub:message:1' }, a: ['1'] },
    });
  });

  it('reports malformed XML as xml.malformed with the parser\'s reason on one line', () => {
    const outcome = parseXmlSync('<message><a></message>');
    expect(outcome.ok).toBe(false);
    if (outcome.ok) return;
    expect(outcome.error.code).toBe('xml.malformed');
    expect(outcome.error.pointer).toBe('/');
    expect(outcome.error.message).toMatch(/^is not well-formed XML: \S/);
    expect(outcome.error.message).not.toMatch(/\n/);
  });

  it('reports an empty document as xml.empty', () => {
    expect(parseXmlSync('')).toMatchObject({ ok: false, error: { code: 'xml.empty', pointer: '/' } });
  });
});
