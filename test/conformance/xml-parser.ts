// A small strict XML reader for the JUnit tests (no XML library is a dependency): elements, attributes, text,
// the five predefined entities and character references, comments and CDATA. It throws on anything malformed
// (unbalanced tags, a bare & or <, an unknown entity, text outside the root), which is what "parses" means here.

export interface XmlElement {
  name: string;
  attributes: Record<string, string>;
  children: XmlElement[];
  text: string;
}

const ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };
const NAME = /^[A-Za-z_][\w.:-]*/;

function decode(raw: string, at: number): string {
  if (raw.includes('<')) throw new Error(`unescaped < at ${at}`);
  return raw.replace(/&([^;\s&]*);?/g, (match, ref: string) => {
    if (!match.endsWith(';')) throw new Error(`bare & at ${at}`);
    if (ref.startsWith('#x')) return String.fromCodePoint(parseInt(ref.slice(2), 16));
    if (ref.startsWith('#')) return String.fromCodePoint(Number(ref.slice(1)));
    const v = ENTITIES[ref];
    if (v === undefined) throw new Error(`unknown entity &${ref}; at ${at}`);
    return v;
  });
}

/** Parses one XML document and returns its root element. */
export function parseXml(xml: string): XmlElement {
  let i = 0;
  const skipMisc = (): void => {
    for (;;) {
      const ws = /^\s*/.exec(xml.slice(i))![0].length;
      i += ws;
      if (xml.startsWith('<?', i)) i = xml.indexOf('?>', i) + 2;
      else if (xml.startsWith('<!--', i)) i = xml.indexOf('-->', i) + 3;
      else return;
      if (i < 2) throw new Error('unterminated prolog or comment');
    }
  };
  const parseElement = (): XmlElement => {
    if (xml[i] !== '<') throw new Error(`expected < at ${i}`);
    i++;
    const name = NAME.exec(xml.slice(i))?.[0];
    if (!name) throw new Error(`bad element name at ${i}`);
    i += name.length;
    const el: XmlElement = { name, attributes: {}, children: [], text: '' };
    for (;;) {
      i += /^\s*/.exec(xml.slice(i))![0].length;
      if (xml.startsWith('/>', i)) {
        i += 2;
        return el;
      }
      if (xml[i] === '>') {
        i++;
        break;
      }
      const attr = /^([A-Za-z_][\w.:-]*)\s*=\s*("([^"]*)"|'([^']*)')/.exec(xml.slice(i));
      if (!attr) throw new Error(`bad attribute in <${name}> at ${i}`);
      if (attr[1]! in el.attributes) throw new Error(`duplicate attribute ${attr[1]} at ${i}`);
      el.attributes[attr[1]!] = decode(attr[3] ?? attr[4] ?? '', i);
      i += attr[0].length;
    }
    for (;;) {
      if (i >= xml.length) throw new Error(`<${name}> is not closed`);
      if (xml.startsWith('</', i)) {
        const close = /^<\/([A-Za-z_][\w.:-]*)\s*>/.exec(xml.slice(i));
        if (!close || close[1] !== name) throw new Error(`expected </${name}> at ${i}`);
        i += close[0].length;
        return el;
      }
      if (xml.startsWith('<!--', i)) {
        const end = xml.indexOf('-->', i);
        if (end < 0) throw new Error('unterminated comment');
        i = end + 3;
      } else if (xml.startsWith('<![CDATA[', i)) {
        const end = xml.indexOf(']]>', i);
        if (end < 0) throw new Error('unterminated CDATA');
        el.text += xml.slice(i + 9, end);
        i = end + 3;
      } else if (xml[i] === '<') {
        el.children.push(parseElement());
      } else {
        const end = xml.indexOf('<', i);
        const raw = xml.slice(i, end < 0 ? xml.length : end);
        el.text += decode(raw, i);
        i += raw.length;
      }
    }
  };
  skipMisc();
  const root = parseElement();
  skipMisc();
  if (i !== xml.length) throw new Error(`content after the root element at ${i}`);
  return root;
}
