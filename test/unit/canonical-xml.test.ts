import { describe, expect, it } from 'vitest';
import { CANONICAL_XML_NAMESPACE, canonicalXml } from '../../adapters/formats/canonical-xml.js';
import { adapterContext } from './adapter-context.js';

const ctx = adapterContext();
const normalise = (xml: string, context = ctx) => canonicalXml.normalise(Buffer.from(xml, 'utf8'), context);

const NOTICE_XML = `<?xml version="1.0" encoding="UTF-8"?>
<message xmlns="urn:tracehub:message:1">
  <messageId>FR-2025-000123</messageId>
  <type>hub.notice</type>
  <sender><country>FR</country><agency>NCB-PARIS</agency></sender>
  <sentAt>2025-03-01T10:15:00Z</sentAt>
  <payload>
    <to><country>DE</country></to>
    <to><country>US</country></to>
    <subject>Stolen pistol</subject>
    <body>A Glock 17 reported stolen in Lyon</body>
    <serials>A1</serials>
  </payload>
</message>`;

const NOTICE_JSON = {
  messageId: 'FR-2025-000123',
  type: 'hub.notice',
  sender: { country: 'FR', agency: 'NCB-PARIS' },
  sentAt: '2025-03-01T10:15:00Z',
  payload: {
    to: [{ country: 'DE' }, { country: 'US' }],
    subject: 'Stolen pistol',
    body: 'A Glock 17 reported stolen in Lyon',
    serials: ['A1'],
  },
};

function envelopeOf(outcome: ReturnType<typeof normalise>): Record<string, unknown> {
  if (!outcome.ok) throw new Error(`expected ok, got ${JSON.stringify(outcome.errors)}`);
  return outcome.envelope as Record<string, unknown>;
}

function errorsOf(outcome: ReturnType<typeof normalise>) {
  if (outcome.ok) throw new Error(`expected errors, got ${JSON.stringify(outcome.envelope)}`);
  return outcome.errors;
}

describe('canonical-xml format adapter', () => {
  describe('reading a hub.notice in the canonical XML form', () => {
    it('normalises to exactly the JSON envelope', () => {
      expect(envelopeOf(normalise(NOTICE_XML))).toStrictEqual(NOTICE_JSON);
    });

    it('gives a valid envelope and a valid hub.notice payload', () => {
      const envelope = envelopeOf(normalise(NOTICE_XML));
      expect(ctx.catalog.check('urn:tracehub:schema:envelope', envelope)).toEqual([]);
      expect(ctx.catalog.check('urn:tracehub:schema:hub.notice', envelope.payload, '/payload')).toEqual([]);
    });

    it('turns a single element of an array property into a one-element array', () => {
      const xml = NOTICE_XML.replace('<to><country>US</country></to>', '');
      const payload = envelopeOf(normalise(xml)).payload as Record<string, unknown>;
      expect(payload.to).toStrictEqual([{ country: 'DE' }]);
      expect(payload.serials).toStrictEqual(['A1']);
    });

    it('turns repeated elements of an array property into an array in document order', () => {
      const xml = NOTICE_XML.replace('<serials>A1</serials>', '<serials>A1</serials><serials>B2</serials><serials>C3</serials>');
      const payload = envelopeOf(normalise(xml)).payload as Record<string, unknown>;
      expect(payload.serials).toStrictEqual(['A1', 'B2', 'C3']);
    });

    it('keeps single-valued fields as plain values, not arrays', () => {
      const envelope = envelopeOf(normalise(NOTICE_XML));
      expect(envelope.messageId).toBe('FR-2025-000123');
      expect(envelope.sender).toStrictEqual({ country: 'FR', agency: 'NCB-PARIS' });
    });

    it('keeps string fields that look like numbers as strings (the schema says string)', () => {
      const xml = NOTICE_XML.replace('<messageId>FR-2025-000123</messageId>', '<messageId>00123</messageId>').replace('<serials>A1</serials>', '<serials>0042</serials>');
      const envelope = envelopeOf(normalise(xml));
      expect(envelope.messageId).toBe('00123');
      expect((envelope.payload as Record<string, unknown>).serials).toStrictEqual(['0042']);
    });

    it('decodes character references and CDATA in text', () => {
      const xml = NOTICE_XML.replace('<subject>Stolen pistol</subject>', '<subject>Colt &amp; Smith &lt;M1911&gt;</subject>').replace(
        '<body>A Glock 17 reported stolen in Lyon</body>',
        '<body><![CDATA[<b>not markup</b> & co]]></body>',
      );
      const payload = envelopeOf(normalise(xml)).payload as Record<string, unknown>;
      expect(payload.subject).toBe('Colt & Smith <M1911>');
      expect(payload.body).toBe('<b>not markup</b> & co');
    });

    it('carries over elements the schema does not know, so validation can name them', () => {
      const xml = NOTICE_XML.replace('<serials>A1</serials>', '<serials>A1</serials><colour>blue</colour>');
      const envelope = envelopeOf(normalise(xml));
      expect((envelope.payload as Record<string, unknown>).colour).toBe('blue');
      expect(ctx.catalog.check('urn:tracehub:schema:hub.notice', envelope.payload, '/payload')).toContainEqual({
        pointer: '/payload/colour',
        code: 'schema.additionalProperties',
        message: 'is not an allowed property',
      });
    });

    it('keeps a field repeated where the schema wants one value as an array, so validation reports a type error', () => {
      const xml = NOTICE_XML.replace('<subject>Stolen pistol</subject>', '<subject>One</subject><subject>Two</subject>');
      const envelope = envelopeOf(normalise(xml));
      expect((envelope.payload as Record<string, unknown>).subject).toStrictEqual(['One', 'Two']);
      const errors = ctx.catalog.check('urn:tracehub:schema:hub.notice', envelope.payload, '/payload');
      expect(errors).toContainEqual(expect.objectContaining({ pointer: '/payload/subject', code: 'schema.type' }));
    });
  });

  describe('a message type the hub does not know', () => {
    it('converts generically: repeated elements become arrays, single ones text, nothing is typed', () => {
      const xml = `<message xmlns="urn:tracehub:message:1">
        <messageId>m-9</messageId><type>acme.widget</type>
        <sender><country>FR</country><agency>NCB-PARIS</agency></sender>
        <sentAt>2025-03-01T10:15:00Z</sentAt>
        <payload><count>3</count><flag>true</flag><tag>a</tag><tag>b</tag></payload>
      </message>`;
      expect(envelopeOf(normalise(xml))).toStrictEqual({
        messageId: 'm-9',
        type: 'acme.widget',
        sender: { country: 'FR', agency: 'NCB-PARIS' },
        sentAt: '2025-03-01T10:15:00Z',
        payload: { count: '3', flag: 'true', tag: ['a', 'b'] },
      });
    });

    it('still shapes the envelope fields by the envelope schema', () => {
      const xml = NOTICE_XML.replace('<type>hub.notice</type>', '<type>acme.widget</type>');
      const envelope = envelopeOf(normalise(xml));
      expect(envelope.sender).toStrictEqual({ country: 'FR', agency: 'NCB-PARIS' });
      expect(envelope.sentAt).toBe('2025-03-01T10:15:00Z');
      expect(typeof envelope.payload).toBe('object');
    });
  });

  describe('rendering and reading back', () => {
    it('renders the canonical form: root <message> in the hub namespace with the envelope fields as elements', () => {
      const xml = canonicalXml.render(NOTICE_JSON, ctx).toString('utf8');
      expect(xml).toMatch(/^<\?xml version="1\.0" encoding="UTF-8"\?>/);
      expect(xml).toContain(`<message xmlns="${CANONICAL_XML_NAMESPACE}">`);
      expect(xml.match(/<to>/g)).toHaveLength(2);
      expect(xml).toContain('<serials>A1</serials>');
    });

    it('render() then normalise() gives back the same hub.notice envelope', () => {
      const bytes = canonicalXml.render(NOTICE_JSON, ctx);
      expect(envelopeOf(canonicalXml.normalise(bytes, ctx))).toStrictEqual(NOTICE_JSON);
    });

    it('round-trips optional envelope fields and text that needs escaping', () => {
      const envelope = {
        ...NOTICE_JSON,
        correlationId: 'corr-1',
        inReplyTo: 'DE-77',
        payload: { ...NOTICE_JSON.payload, subject: 'Colt & Smith <M1911> "quoted"', priority: 'urgent', serials: ['A1', 'B 2'] },
      };
      expect(envelopeOf(canonicalXml.normalise(canonicalXml.render(envelope, ctx), ctx))).toStrictEqual(envelope);
    });

    it('round-trips a hub.receipt, whose errors are an array of objects behind a local $ref', () => {
      const receipt = {
        messageId: '0190a3c1-0000-7000-8000-000000000001',
        type: 'hub.receipt',
        sender: { country: 'ZZ', agency: 'TRACEHUB' },
        sentAt: '2025-03-01T10:15:00.000Z',
        inReplyTo: 'FR-2025-000123',
        payload: {
          ledgerId: '0190a3c1-0000-7000-8000-000000000002',
          originalMessageId: 'FR-2025-000123',
          outcome: 'rejected',
          errors: [{ pointer: '/payload/to/0/country', code: 'recipient.unknown', message: 'JP is not a partner country of the hub' }],
        },
      };
      expect(envelopeOf(canonicalXml.normalise(canonicalXml.render(receipt, ctx), ctx))).toStrictEqual(receipt);
    });

    // Documents a bug: parseXmlSync uses xml2js `trim: true`, which strips leading and trailing
    // whitespace from every text node, so free text does not survive a round trip.
    it('round-trips free text exactly, including leading and trailing whitespace and newlines', () => {
      const envelope = { ...NOTICE_JSON, payload: { ...NOTICE_JSON.payload, body: '  Line 1\nLine 2\n' } };
      expect(envelopeOf(canonicalXml.normalise(canonicalXml.render(envelope, ctx), ctx))).toStrictEqual(envelope);
    });
  });

  describe('refusing unsafe or unusable XML', () => {
    it('refuses a billion-laughs entity expansion with xml.dtd-forbidden, before parsing it', () => {
      const xml = `<?xml version="1.0"?>
<!DOCTYPE lolz [
  <!ENTITY lol "lol">
  <!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
  <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
]>
<message xmlns="urn:tracehub:message:1"><messageId>&lol3;</messageId></message>`;
      expect(errorsOf(normalise(xml))).toEqual([
        { pointer: '/', code: 'xml.dtd-forbidden', message: 'document type declarations and entities are not accepted' },
      ]);
    });

    it('refuses an external entity (XXE) with xml.dtd-forbidden', () => {
      const xml = `<?xml version="1.0"?><!DOCTYPE message [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>
<message xmlns="urn:tracehub:message:1"><messageId>&xxe;</messageId></message>`;
      expect(errorsOf(normalise(xml)).map((e) => e.code)).toEqual(['xml.dtd-forbidden']);
    });

    it('refuses a DOCTYPE whatever its letter case', () => {
      expect(errorsOf(normalise('<!doctype message SYSTEM "http://evil.example/x.dtd"><message/>')).map((e) => e.code)).toEqual(['xml.dtd-forbidden']);
    });

    it('refuses nesting deeper than the configured limit with xml.too-deep', () => {
      const deep = NOTICE_XML.replace('<body>A Glock 17 reported stolen in Lyon</body>', `<body>${'<x>'.repeat(40)}${'</x>'.repeat(40)}</body>`);
      expect(errorsOf(normalise(deep))).toEqual([{ pointer: '/', code: 'xml.too-deep', message: 'nests elements deeper than 32 levels' }]);
    });

    it('uses the limit from the context, not a fixed one', () => {
      const small = adapterContext({ xmlMaxDepth: 2 });
      expect(errorsOf(normalise(NOTICE_XML, small)).map((e) => e.code)).toEqual(['xml.too-deep']);
    });

    it('refuses a document larger than the configured byte limit with xml.too-large', () => {
      const small = adapterContext({ xmlMaxBytes: 200 });
      expect(errorsOf(normalise(NOTICE_XML, small))).toEqual([{ pointer: '/', code: 'xml.too-large', message: 'exceeds 200 bytes' }]);
    });

    it.each([
      ['an unclosed element', '<message xmlns="urn:tracehub:message:1"><messageId>m-1</message>'],
      ['text before the root', 'hello <message/>'],
      ['an unescaped ampersand', '<message><subject>Smith & Wesson</subject></message>'],
      ['JSON sent to the XML adapter', '{"messageId":"m-1"}'],
    ])('refuses %s with xml.malformed', (_label, xml) => {
      const errors = errorsOf(normalise(xml));
      expect(errors).toHaveLength(1);
      expect(errors[0]).toMatchObject({ pointer: '/', code: 'xml.malformed' });
      expect(errors[0]!.message).toMatch(/^is not well-formed XML: /);
    });

    // Documents a bug: xml2js reports the first root element and ignores everything after it, so a
    // document that is not well-formed (a second envelope smuggled after the first, trailing
    // text) is accepted and the rest silently dropped.
    it.each([
      ['a second root element after the first', NOTICE_XML + '<message><messageId>smuggled</messageId></message>'],
      ['text after the root element', NOTICE_XML + 'trailing garbage'],
    ])('refuses %s with xml.malformed', (_label, xml) => {
      expect(errorsOf(normalise(xml)).map((e) => e.code)).toEqual(['xml.malformed']);
    });

    it('refuses a document whose root is not <message> with xml.wrong-root, naming the root found', () => {
      const xml = NOTICE_XML.replace('<message xmlns', '<envelope xmlns').replace('</message>', '</envelope>');
      expect(errorsOf(normalise(xml))).toEqual([
        { pointer: '/', code: 'xml.wrong-root', message: 'root element must be <message>, found <envelope>' },
      ]);
    });
  });
});
