/**
 * The part of sax (the SAX parser xml2js is built on, and installed with it) that the XML element
 * splitter uses. sax ships no type declarations of its own.
 */
declare module 'sax' {
  export interface Tag {
    name: string;
    attributes: Record<string, string>;
    isSelfClosing: boolean;
  }
  export interface SAXOptions {
    trim?: boolean;
    normalize?: boolean;
    lowercase?: boolean;
    xmlns?: boolean;
    position?: boolean;
    strictEntities?: boolean;
  }
  export interface SAXParser {
    line: number;
    column: number;
    position: number;
    startTagPosition: number;
    error: Error | null;
    onopentagstart: ((tag: { name: string; attributes: Record<string, string> }) => void) | null;
    onopentag: ((tag: Tag) => void) | null;
    onclosetag: ((name: string) => void) | null;
    ondoctype: ((doctype: string) => void) | null;
    onprocessinginstruction: ((pi: { name: string; body: string }) => void) | null;
    onerror: ((err: Error) => void) | null;
    write(chunk: string): SAXParser;
    close(): SAXParser;
  }
  export function parser(strict: boolean, options?: SAXOptions): SAXParser;
  const sax: { parser: typeof parser };
  export default sax;
}
