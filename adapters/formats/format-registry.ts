import { canonicalJson } from './canonical-json.js';
import { canonicalXml } from './canonical-xml.js';
import type { FormatAdapter } from './format-adapter.js';

/** Every format the hub can read or write, by the name partner configuration uses. */
export function builtInFormats(): Map<string, FormatAdapter> {
  return new Map([canonicalJson, canonicalXml].map((a) => [a.name, a]));
}
