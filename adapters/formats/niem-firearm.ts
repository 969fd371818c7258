import { createHash } from 'node:crypto';
import { Builder } from 'xml2js';
import type { FieldError } from '../../src/messages/generated-types.js';
import type { FormatAdapter } from './format-adapter.js';
import { checkXmlSafety, parseXmlSync, type XmlNode } from './safe-xml.js';
import { charsetOf, decodeXml } from './text-decoding.js';
import { isStorableDateTime } from '../../src/messages/storable-content.js';

/**
 * NIEM 2.0 firearm records: a `FirearmRecord` element (the exchange's own namespace) holding the
 * record's identification and status, an `nc:Firearm` (niem-core 2.0 `nc:FirearmType`) and the
 * `nc:Incident` that made the firearm of interest, read into a canonical record.upsert. A file of
 * many records wraps them in any root element (`FirearmRecordExchange`).
 *
 * Elements are matched by local name, whatever their prefix: IEPDs put NCIC code elements in
 * their own extension namespaces (a state's `FirearmMakeCode`), and the meaning is the same.
 * NCIC make codes (`nc:FirearmMakeCode`, fbi:MAKCodeType) are translated to the maker's name
 * through the reference data; a code the reference data lacks is passed on as written, for the
 * records module to report as unmapped. The gun type is NCIC TYP: category
 * (`nc:FirearmCategoryCode`) plus characteristic (`nc:FirearmCategoryDescriptionCode`).
 *
 * Errors name the element as the sender wrote it (`source`, a path from the record element).
 */
export const NIEM_CORE_20 = 'http://niem.gov/niem/niem-core/2.0';
export const NIEM_EXCHANGE_NAMESPACE = 'urn:tracehub:niem:firearm-record-exchange:1';
export const NIEM_FORMAT = 'niem-2.0-firearm';

export interface NiemOptions {
  /** NCIC make code -> maker's name, from the reference data; undefined for an unknown code. */
  makeNameForCode?: (code: string) => string | undefined;
  /** Maker's name -> NCIC make code, for rendering; undefined when the reference data has none. */
  makeCodeForName?: (name: string) => string | undefined;
}

const STATUSES = ['LOST', 'STOLEN', 'TRAFFICKED', 'SMUGGLED', 'SEIZED_FOR_TRACING'];

type Element = { [name: string]: XmlNode[] | Record<string, string> | string | undefined };

function localName(qname: string): string {
  const colon = qname.indexOf(':');
  return colon === -1 ? qname : qname.slice(colon + 1);
}

/** Children of `node` with this local name, with the name as written (for error paths). */
function children(node: XmlNode | undefined, name: string): { name: string; node: XmlNode }[] {
  if (!node || typeof node === 'string') return [];
  const out: { name: string; node: XmlNode }[] = [];
  for (const [qname, value] of Object.entries(node)) {
    if (qname === '$' || qname === '_' || !Array.isArray(value) || localName(qname) !== name) continue;
    for (const v of value) out.push({ name: qname, node: v });
  }
  return out;
}

function textOf(node: XmlNode): string {
  if (typeof node === 'string') return node.trim();
  const t = (node as Element)._;
  return typeof t === 'string' ? t.trim() : '';
}

/** Reads a record element: every value found, plus the path each came from. */
class Reader {
  readonly errors: FieldError[] = [];
  /** Canonical pointer -> the element its value was read from, as written. */
  readonly sources = new Map<string, string>();
  constructor(readonly rootName: string) {}

  /** Notes where the value at `pointer` came from, for errors validation finds in it later. */
  read<T extends { path: string }>(pointer: string, found: T): T {
    this.sources.set(pointer, found.path);
    return found;
  }

  /** The first element at `path` (local names) below `node`, with its written path. */
  find(node: XmlNode | undefined, at: string, path: string[]): { node: XmlNode; path: string } | undefined {
    let current: { node: XmlNode; path: string } | undefined = node ? { node, path: at } : undefined;
    for (const step of path) {
      const next = current ? children(current.node, step)[0] : undefined;
      current = next ? { node: next.node, path: `${current!.path}/${next.name}` } : undefined;
    }
    return current;
  }

  text(node: XmlNode | undefined, at: string, path: string[]): { value: string; path: string } | undefined {
    const found = this.find(node, at, path);
    if (!found) return undefined;
    const value = textOf(found.node);
    return value ? { value, path: found.path } : undefined;
  }

  /** The path a missing element would have had, with the prefix the document's siblings use. */
  expected(at: string, path: string[], prefix = 'nc'): string {
    return `${at}/${path.map((p) => `${prefix}:${p}`).join('/')}`;
  }

  missing(pointer: string, source: string, what: string): void {
    this.errors.push({ pointer, source, code: 'niem.missing', message: `${what} is missing` });
  }

  invalid(pointer: string, source: string, code: string, message: string): void {
    this.errors.push({ pointer, source, code, message });
  }
}

const XSD_DATE_TIME = /^\d{4}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])T([01]\d|2[0-3]):[0-5]\d:[0-5]\d(\.\d+)?(Z|[+-](0\d|1[0-4]):[0-5]\d)?$/;

/** Without a zone, xsd leaves a time local to its writer, whose zone the hub does not know: read as UTC. */
function withZone(dateTime: string): string {
  return /(Z|[+-]\d{2}:\d{2})$/.test(dateTime) ? dateTime : `${dateTime}Z`;
}

function gaugeAsCalibre(text: string): string {
  return /^\d+$/.test(text) ? `${text} gauge` : text;
}

/** NCIC MAK for "make unknown": the make text, when there is one, says more. */
const UNKNOWN_MAKE = 'ZZZ';

export function niemFirearmFormat(options: NiemOptions = {}): FormatAdapter {
  // Where each value of a document was read from, kept as long as its bytes are: a record may
  // give the same field in several elements (a calibre as code, text or gauge), and a validation
  // error must name the one the partner wrote.
  const readFrom = new WeakMap<Buffer, ReadonlyMap<string, string>>();
  return {
    name: NIEM_FORMAT,
    mediaTypes: ['application/xml', 'text/xml'],
    file: {
      framing: 'xml',
      extension: '.xml',
      messageElements: ['FirearmRecord'],
      batchRoot: { name: 'fre:FirearmRecordExchange', namespaces: { 'xmlns:fre': NIEM_EXCHANGE_NAMESPACE, 'xmlns:nc': NIEM_CORE_20 } },
    },
    normalise(raw, ctx) {
      const decoded = decodeXml(raw, charsetOf(ctx.contentType));
      if (!decoded.ok) return { ok: false, errors: [decoded.error] };
      const text = decoded.text;
      const unsafe = checkXmlSafety(text, { maxDepth: ctx.limits.xmlMaxDepth, maxBytes: ctx.limits.xmlMaxBytes });
      if (unsafe) return { ok: false, errors: [unsafe] };
      const parsed = parseXmlSync(text);
      if (!parsed.ok) return { ok: false, errors: [parsed.error] };
      if (localName(parsed.root) !== 'FirearmRecord') {
        return { ok: false, errors: [{ pointer: '/', source: parsed.root, code: 'niem.wrong-root', message: `a NIEM firearm record is a FirearmRecord element, not <${parsed.root}>` }] };
      }
      const root = parsed.node;
      const at = parsed.root;
      const r = new Reader(at);
      readFrom.set(raw, r.sources);

      const ownerReference = r.text(root, at, ['RecordIdentification', 'IdentificationID']);
      if (ownerReference) r.read('/payload/ownerReference', ownerReference);
      else r.missing('/payload/ownerReference', `${at}/fre:RecordIdentification/nc:IdentificationID`, 'the record\'s identification');
      const statusText = r.text(root, at, ['RecordStatusCode']);
      let status: string | undefined;
      if (!statusText) r.missing('/payload/status', `${at}/fre:RecordStatusCode`, 'the record status');
      else {
        r.read('/payload/status', statusText);
        status = statusText.value.toUpperCase().replace(/[\s-]+/g, '_');
        if (!STATUSES.includes(status)) r.invalid('/payload/status', statusText.path, 'niem.unknown-status', `"${statusText.value}" is not one of ${STATUSES.join(', ')}`);
      }

      // The firearm: nc:Firearm, or an IEPD's own extension of it (also named Firearm).
      const firearmFound = r.find(root, at, ['Firearm']);
      const firearm: Record<string, unknown> = {};
      if (!firearmFound) r.missing('/payload/firearm', `${at}/nc:Firearm`, 'the firearm (nc:Firearm)');
      else {
        const f = firearmFound.node;
        const fp = firearmFound.path;
        const serials = children(f, 'ItemSerialIdentification')
          .map((s) => r.text(s.node, `${fp}/${s.name}`, ['IdentificationID']))
          .filter((id) => id !== undefined)
          .map((id, i) => ({ value: r.read(`/payload/firearm/serials/${i}`, id).value }));
        if (serials.length === 0) r.missing('/payload/firearm/serials', r.expected(fp, ['ItemSerialIdentification', 'IdentificationID']), 'the serial number');
        else firearm.serials = serials;

        const makeCode = r.text(f, fp, ['FirearmMakeCode']);
        const makeText = r.text(f, fp, ['FirearmMakeText']);
        const code = makeCode?.value.toUpperCase();
        const named = code === undefined ? undefined : options.makeNameForCode?.(code);
        // The maker's name the partner wrote says more than a code the reference data cannot
        // resolve, or than ZZZ (make unknown). A code alone is passed on: ZZZ as its reference
        // name, an unknown one as written, for the records module to report as unmapped.
        if (makeText && (named === undefined || code === UNKNOWN_MAKE)) {
          firearm.make = r.read('/payload/firearm/make', makeText).value;
        } else if (makeCode) {
          r.read('/payload/firearm/make', makeCode);
          firearm.make = named ?? makeCode.value;
        } else r.missing('/payload/firearm/make', r.expected(fp, ['FirearmMakeCode']), 'the make (nc:FirearmMakeCode or nc:FirearmMakeText)');
        // NCIC MIS: what the firearm looks like, mandatory with the unknown make ZZZ.
        const description = r.text(f, fp, ['ItemDescriptionText']);
        if (description) firearm.makeDescription = r.read('/payload/firearm/makeDescription', description).value;
        const model = r.text(f, fp, ['ItemModelName']);
        if (model) firearm.model = r.read('/payload/firearm/model', model).value;

        const caliberCode = r.text(f, fp, ['FirearmCaliberCode']);
        const caliberText = r.text(f, fp, ['FirearmCaliberText']);
        const gauge = r.text(f, fp, ['FirearmGaugeText']);
        const calibre = caliberText ?? caliberCode ?? (gauge ? { value: gaugeAsCalibre(gauge.value), path: gauge.path } : undefined);
        if (calibre) firearm.calibre = r.read('/payload/firearm/calibre', calibre).value;
        else r.missing('/payload/firearm/calibre', r.expected(fp, ['FirearmCaliberCode']), 'the calibre (nc:FirearmCaliberCode, nc:FirearmCaliberText or nc:FirearmGaugeText)');

        const category = r.text(f, fp, ['FirearmCategoryCode']);
        const characteristic = r.text(f, fp, ['FirearmCategoryDescriptionCode']);
        const characteristicText = r.text(f, fp, ['FirearmCategoryDescriptionText']);
        if (!category) r.missing('/payload/firearm/type', r.expected(fp, ['FirearmCategoryCode']), 'the gun category (nc:FirearmCategoryCode)');
        else if (!/^[A-Z]$/i.test(category.value)) r.invalid('/payload/firearm/type', category.path, 'niem.bad-code', `"${category.value}" is not an NCIC gun category (one letter, fbi:TYPCodeType)`);
        else if (characteristic && !/^[A-Z]$/i.test(characteristic.value)) {
          r.invalid('/payload/firearm/type', characteristic.path, 'niem.bad-code', `"${characteristic.value}" is not an NCIC gun characteristic (one letter, fbi:TYPDescriptionCodeType)`);
        } else firearm.type = `${r.read('/payload/firearm/type', category).value}${characteristic?.value ?? ''}`.toUpperCase();
        if (characteristicText) firearm.action = r.read('/payload/firearm/action', characteristicText).value;

        const finish = r.text(f, fp, ['FirearmFinishText']) ?? r.text(f, fp, ['FirearmFinishCode']);
        if (finish) firearm.finish = r.read('/payload/firearm/finish', finish).value;
        const year = r.text(f, fp, ['ItemModelYearDate']);
        if (year) {
          if (/^\d{4}$/.test(year.value)) firearm.yearOfManufacture = Number(r.read('/payload/firearm/yearOfManufacture', year).value);
          else r.invalid('/payload/firearm/yearOfManufacture', year.path, 'niem.bad-year', `"${year.value}" is not a year (xs:gYear)`);
        }
      }

      // The incident (or any activity) that made the firearm of interest: NCIC DOT/OCA.
      const incident = r.find(root, at, ['Incident']) ?? r.find(root, at, ['Activity']);
      const event: Record<string, unknown> = {};
      if (!incident) r.missing('/payload/event', `${at}/nc:Incident`, 'the incident (nc:Incident)');
      else {
        const ip = incident.path;
        const caseNumber = r.text(incident.node, ip, ['ActivityIdentification', 'IdentificationID']);
        if (caseNumber) event.caseNumber = r.read('/payload/event/caseNumber', caseNumber).value;
        else r.missing('/payload/event/caseNumber', r.expected(ip, ['ActivityIdentification', 'IdentificationID']), 'the case number');
        const date = r.text(incident.node, ip, ['ActivityDate', 'Date']) ?? r.text(incident.node, ip, ['ActivityDate', 'DateTime']);
        if (!date) r.missing('/payload/event/date', r.expected(ip, ['ActivityDate', 'Date']), 'the incident date');
        else {
          const day = /^(\d{4}-\d{2}-\d{2})/.exec(date.value)?.[1];
          if (day) {
            r.read('/payload/event/date', date);
            event.date = day;
          } else r.invalid('/payload/event/date', date.path, 'niem.bad-date', `"${date.value}" is not a date (xs:date)`);
        }
        const circumstances = r.text(incident.node, ip, ['ActivityDescriptionText']);
        if (circumstances) event.circumstances = r.read('/payload/event/circumstances', circumstances).value;
        const location = r.find(incident.node, ip, ['IncidentLocation']);
        if (location) {
          const place: Record<string, string> = {};
          const address = r.find(location.node, location.path, ['LocationAddress']);
          const structured = address ? (r.find(address.node, address.path, ['StructuredAddress']) ?? address) : undefined;
          const country = structured ? r.text(structured.node, structured.path, ['LocationCountryISO3166Alpha2Code']) : undefined;
          const city = structured ? r.text(structured.node, structured.path, ['LocationCityName']) : undefined;
          const description = r.text(location.node, location.path, ['LocationDescriptionText']);
          if (country) place.country = r.read('/payload/event/place/country', country).value.toUpperCase();
          if (city) place.locality = r.read('/payload/event/place/locality', city).value;
          if (description) place.description = r.read('/payload/event/place/description', description).value;
          if (Object.keys(place).length) event.place = place;
        }
      }
      // An xsd:dateTime, as NIEM types it; a lenient parse read "01/02/2025" as 2 January, local time.
      const created = r.text(root, at, ['DocumentCreationDate', 'DateTime']);
      const createdAt = created && withZone(created.value.trim());
      if (created && !(XSD_DATE_TIME.test(created.value.trim()) && isStorableDateTime(createdAt!))) {
        r.invalid('/sentAt', created.path, 'niem.date-time', `"${created.value}" is not an xsd:dateTime (e.g. 2025-03-01T09:30:00Z)`);
      }
      if (r.errors.length) return { ok: false, errors: r.errors };

      const sender = ctx.sender;
      if (!sender?.country || !sender.agency) {
        return { ok: false, errors: [{ pointer: '/sender', code: 'format.no-sender', message: 'NIEM records name no sender; they are accepted only over a channel that authenticates the partner agency' }] };
      }
      const documentId = r.text(root, at, ['DocumentIdentification', 'IdentificationID']);
      const sentAt = createdAt ? new Date(createdAt).toISOString() : (ctx.receivedAt ?? new Date()).toISOString();
      return {
        ok: true,
        envelope: {
          messageId: documentId?.value ?? (ctx.origin ? `niem-${ctx.origin.fileId}-${ctx.origin.index}` : `niem-${createHash('sha256').update(raw).digest('hex').slice(0, 32)}`),
          type: 'record.upsert',
          sender: { country: sender.country, agency: sender.agency },
          sentAt,
          payload: { ownerReference: ownerReference!.value, status, firearm, event },
        },
      };
    },
    renders: ['record.upsert'],
    render(envelope) {
      const e = envelope as { messageId?: string; type?: string; sentAt?: string; payload?: Record<string, unknown> };
      if (e.type !== 'record.upsert') throw new Error(`${NIEM_FORMAT} carries record.upsert messages only, not ${e.type}`);
      const p = e.payload ?? {};
      const f = (p.firearm ?? {}) as Record<string, unknown>;
      const ev = (p.event ?? {}) as Record<string, unknown>;
      const place = (ev.place ?? {}) as Record<string, string>;
      const type = typeof f.type === 'string' ? f.type : '';
      const code = /^[A-Z]{1,2}$/.test(type) ? type : undefined;
      const makeCode = typeof f.make === 'string' ? options.makeCodeForName?.(f.make) : undefined;
      const firearm: Record<string, unknown> = {
        'nc:ItemSerialIdentification': ((f.serials ?? []) as { value: string }[]).map((s) => ({ 'nc:IdentificationID': s.value })),
        ...(f.makeDescription ? { 'nc:ItemDescriptionText': f.makeDescription } : {}),
        ...(f.model ? { 'nc:ItemModelName': f.model } : {}),
        ...(f.yearOfManufacture ? { 'nc:ItemModelYearDate': String(f.yearOfManufacture) } : {}),
        ...(makeCode ? { 'nc:FirearmMakeCode': makeCode } : { 'nc:FirearmMakeText': f.make }),
        ...(code ? { 'nc:FirearmCategoryCode': code[0] } : {}),
        ...(code?.[1] ? { 'nc:FirearmCategoryDescriptionCode': code[1] } : f.action ? { 'nc:FirearmCategoryDescriptionText': f.action } : {}),
        'nc:FirearmCaliberText': f.calibre,
        ...(f.finish ? { 'nc:FirearmFinishText': f.finish } : {}),
      };
      const location = place.country || place.locality || place.description
        ? {
            'nc:IncidentLocation': {
              ...(place.description ? { 'nc:LocationDescriptionText': place.description } : {}),
              'nc:LocationAddress': { 'nc:StructuredAddress': { ...(place.locality ? { 'nc:LocationCityName': place.locality } : {}), ...(place.country ? { 'nc:LocationCountryISO3166Alpha2Code': place.country } : {}) } },
            },
          }
        : {};
      const record = {
        $: { 'xmlns:fre': NIEM_EXCHANGE_NAMESPACE, 'xmlns:nc': NIEM_CORE_20 },
        'nc:DocumentIdentification': { 'nc:IdentificationID': e.messageId },
        ...(e.sentAt ? { 'nc:DocumentCreationDate': { 'nc:DateTime': e.sentAt } } : {}),
        'fre:RecordIdentification': { 'nc:IdentificationID': p.ownerReference },
        'fre:RecordStatusCode': p.status,
        'nc:Firearm': firearm,
        'nc:Incident': {
          'nc:ActivityIdentification': { 'nc:IdentificationID': ev.caseNumber },
          'nc:ActivityDate': { 'nc:Date': ev.date },
          ...(ev.circumstances ? { 'nc:ActivityDescriptionText': ev.circumstances } : {}),
          ...location,
        },
      };
      return Buffer.from(new Builder({ rootName: 'fre:FirearmRecord', xmldec: { version: '1.0', encoding: 'UTF-8' } }).buildObject(record));
    },
    sourceOf(pointer, raw) {
      // The element this document's value was read from, else where the record would have it.
      const read = raw ? readFrom.get(raw) : undefined;
      const within = (p: string) => pointer === p || pointer.startsWith(`${p}/`);
      const written = read && [...read.keys()].filter(within).sort((a, b) => b.length - a.length)[0];
      if (written) return read.get(written);
      const map: [string, string][] = [
        ['/payload/ownerReference', 'fre:FirearmRecord/fre:RecordIdentification/nc:IdentificationID'],
        ['/payload/status', 'fre:FirearmRecord/fre:RecordStatusCode'],
        ['/payload/firearm/serials', 'fre:FirearmRecord/nc:Firearm/nc:ItemSerialIdentification/nc:IdentificationID'],
        ['/payload/firearm/makeDescription', 'fre:FirearmRecord/nc:Firearm/nc:ItemDescriptionText'],
        ['/payload/firearm/make', 'fre:FirearmRecord/nc:Firearm/nc:FirearmMakeCode'],
        ['/payload/firearm/model', 'fre:FirearmRecord/nc:Firearm/nc:ItemModelName'],
        ['/payload/firearm/calibre', 'fre:FirearmRecord/nc:Firearm/nc:FirearmCaliberCode'],
        ['/payload/firearm/type', 'fre:FirearmRecord/nc:Firearm/nc:FirearmCategoryCode'],
        ['/payload/firearm/action', 'fre:FirearmRecord/nc:Firearm/nc:FirearmCategoryDescriptionText'],
        ['/payload/firearm/finish', 'fre:FirearmRecord/nc:Firearm/nc:FirearmFinishText'],
        ['/payload/firearm/yearOfManufacture', 'fre:FirearmRecord/nc:Firearm/nc:ItemModelYearDate'],
        ['/payload/firearm', 'fre:FirearmRecord/nc:Firearm'],
        ['/payload/event/caseNumber', 'fre:FirearmRecord/nc:Incident/nc:ActivityIdentification/nc:IdentificationID'],
        ['/payload/event/date', 'fre:FirearmRecord/nc:Incident/nc:ActivityDate/nc:Date'],
        ['/payload/event/circumstances', 'fre:FirearmRecord/nc:Incident/nc:ActivityDescriptionText'],
        ['/payload/event/place/country', 'fre:FirearmRecord/nc:Incident/nc:IncidentLocation/nc:LocationAddress/nc:StructuredAddress/nc:LocationCountryISO3166Alpha2Code'],
        ['/payload/event/place/locality', 'fre:FirearmRecord/nc:Incident/nc:IncidentLocation/nc:LocationAddress/nc:StructuredAddress/nc:LocationCityName'],
        ['/payload/event', 'fre:FirearmRecord/nc:Incident'],
        ['/messageId', 'fre:FirearmRecord/nc:DocumentIdentification/nc:IdentificationID'],
      ];
      return map.find(([p]) => pointer === p || pointer.startsWith(`${p}/`))?.[1];
    },
  };
}
