// The issue or PR body is untrusted: anyone who can open an issue writes it. Before any of it reaches a
// prompt we remove what a maintainer reading the rendered issue cannot see, so that the model is asked to do
// only what the person who applied the label could read:
//  - HTML comments (`<!-- ... -->`, also an unterminated `<!--`, which hides the rest of the body),
//  - hidden HTML: <script>, <style>, <template>, <noscript>, <iframe>, <object>, elements with the `hidden`
//    attribute or an inline style that hides them, and the attributes of every other tag (alt/title text
//    is not shown on the page),
//  - Markdown link reference definitions (`[x]: # (text)`), a common way to write invisible text,
//  - zero-width, bidirectional-control, tag and other invisible/format Unicode characters, and control
//    characters other than tab and newline.
// Text inside fenced code blocks and inline code spans is shown verbatim on GitHub, so HTML-looking text
// there is kept (only invisible characters are removed everywhere).

/** Characters that render as nothing (or reorder text) and have no place in a task spec. */
// \p{Cf}: format characters (zero-width space/joiners, bidi controls, BOM, soft hyphen, tag characters,
// invisible operators). Plus variation selectors, Hangul fillers, combining grapheme joiner, Mongolian
// free variation selectors, braille blank, and the C0/C1 control characters except \t and \n.
const INVISIBLE =
  // eslint-disable-next-line no-control-regex
  /[\p{Cf}\u034f\u115f\u1160\u17b4\u17b5\u180b-\u180f\u2800\u3164\uffa0\ufe00-\ufe0f\u{e0100}-\u{e01ef}\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f]/gu;

// A CommonMark raw-HTML attribute list: `<b && c>` is not a tag (and GitHub shows it as text).
const ATTRIBUTES = `(?:\\s+[A-Za-z_:][\\w.:-]*(?:\\s*=\\s*(?:[^\\s"'=<>\`]+|'[^']*'|"[^"]*"))?)*`;

const HIDDEN_ELEMENTS = [
  'script',
  'style',
  'template',
  'noscript',
  'iframe',
  'object',
  'embed',
  'svg',
  'math',
  'head',
  'title',
];

// Known HTML element names: only these are treated as tags, so that `List<int>` or `a <b> c` in prose that is
// not HTML survives.
const HTML_TAGS = new Set(
  (
    'a abbr address area article aside audio b base bdi bdo blockquote body br button canvas caption cite code col ' +
    'colgroup data datalist dd del details dfn dialog div dl dt em embed fieldset figcaption figure font footer form ' +
    'h1 h2 h3 h4 h5 h6 head header hr html i iframe img input ins kbd label legend li link main map mark meta meter ' +
    'nav noscript object ol optgroup option output p param picture pre progress q rp rt ruby s samp script section ' +
    'select slot small source span strike strong style sub summary sup table tbody td template textarea tfoot th ' +
    'thead time title tr track tt u ul var video wbr center marquee blink picture svg math g path'
  ).split(' '),
);

export interface SanitizeReport {
  text: string;
  /** What was removed, for the log (counts only; never the removed text, which may be an injection). */
  removed: {
    htmlComments: number;
    hiddenElements: number;
    invisibleCharacters: number;
    linkDefinitions: number;
  };
}

/** Removes invisible characters everywhere. */
export function stripInvisible(text: string): string {
  return text.replace(INVISIBLE, '');
}

/** Sanitises an untrusted Markdown body; see the file comment for what is removed. */
export function sanitizeUntrusted(body: string): string {
  return sanitizeWithReport(body).text;
}

export function sanitizeWithReport(body: string): SanitizeReport {
  const removed = { htmlComments: 0, hiddenElements: 0, invisibleCharacters: 0, linkDefinitions: 0 };
  let text = String(body ?? '')
    .replace(/\r\n?/g, '\n')
    .normalize('NFC');
  const before = text.length;
  text = stripInvisible(text);
  removed.invisibleCharacters = before - text.length;

  // Split into prose and verbatim (fenced code) chunks; HTML handling applies to prose only. An HTML comment
  // opened in prose hides everything up to its end, fences included, so comments are removed while splitting.
  const out: string[] = [];
  const lines = text.split('\n');
  let fence: { char: string; length: number } | null = null;
  let prose: string[] = [];
  const flushProse = () => {
    if (prose.length === 0) return;
    out.push(cleanProse(prose.join('\n'), removed));
    prose = [];
  };
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    if (fence) {
      out.push(line);
      const close = /^ {0,3}(`{3,}|~{3,})\s*$/.exec(line);
      if (close && close[1]![0] === fence.char && close[1]!.length >= fence.length) fence = null;
      continue;
    }
    const open = /^ {0,3}(`{3,}|~{3,})(.*)$/.exec(line);
    if (open && !(open[1]![0] === '`' && open[2]!.includes('`'))) {
      // A fence opens here, unless this line is inside an HTML comment that began earlier in the prose.
      const pending = prose.join('\n');
      if (!hasOpenComment(pending)) {
        flushProse();
        out.push(line);
        fence = { char: open[1]![0]!, length: open[1]!.length };
        continue;
      }
    }
    prose.push(line);
  }
  flushProse();
  return { text: out.join('\n'), removed };
}

/** True when the prose ends inside an unterminated HTML comment (outside inline code). */
function hasOpenComment(prose: string): boolean {
  const masked = maskInlineCode(prose);
  const open = masked.lastIndexOf('<!--');
  return open !== -1 && masked.indexOf('-->', open + 4) === -1;
}

/** Replaces the content of inline code spans with spaces (same length), so positions stay valid. */
function maskInlineCode(s: string): string {
  return s.replace(/(`+)([\s\S]*?[^`])\1(?!`)/g, (m) => ' '.repeat(m.length));
}

/** Removes `[start, end)` ranges from s. */
function cut(s: string, ranges: Array<[number, number]>): string {
  if (ranges.length === 0) return s;
  ranges.sort((a, b) => a[0] - b[0]);
  let out = '';
  let pos = 0;
  for (const [a, b] of ranges) {
    if (b <= pos) continue;
    out += s.slice(pos, Math.max(a, pos));
    pos = b;
  }
  return out + s.slice(pos);
}

function cleanProse(prose: string, removed: SanitizeReport['removed']): string {
  let s = prose;
  // 1. HTML comments, including an unterminated one (which hides the rest).
  {
    const masked = maskInlineCode(s);
    const ranges: Array<[number, number]> = [];
    let at = 0;
    for (;;) {
      const start = masked.indexOf('<!--', at);
      if (start === -1) break;
      const end = masked.indexOf('-->', start + 4);
      removed.htmlComments++;
      if (end === -1) {
        ranges.push([start, s.length]);
        break;
      }
      ranges.push([start, end + 3]);
      at = end + 3;
    }
    s = cut(s, ranges);
  }
  // 2. Hidden elements with their content.
  for (let guard = 0; guard < 1000; guard++) {
    const masked = maskInlineCode(s);
    const hidden = findHiddenElement(masked);
    if (!hidden) break;
    removed.hiddenElements++;
    s = s.slice(0, hidden[0]) + s.slice(hidden[1]);
  }
  // 3. Remaining known tags: keep the visible text, drop the markup (attributes carry invisible text).
  {
    const masked = maskInlineCode(s);
    const ranges: Array<[number, number]> = [];
    const tagRe = new RegExp(`<\\/?([A-Za-z][A-Za-z0-9-]*)(${ATTRIBUTES})\\s*\\/?>`, 'g');
    for (let m = tagRe.exec(masked); m; m = tagRe.exec(masked)) {
      if (!HTML_TAGS.has(m[1]!.toLowerCase())) continue;
      const name = m[1]!.toLowerCase();
      const keep =
        name === 'br' || name === 'p' || name === 'div' || name === 'li' || name === 'tr' ? '\n' : '';
      if (keep) {
        s = s.slice(0, m.index) + keep.padEnd(m[0].length, '\u0000') + s.slice(m.index + m[0].length);
      } else ranges.push([m.index, m.index + m[0].length]);
    }
    s = cut(s, ranges).replace(/\u0000/g, '');
  }
  // 4. Link reference definitions (invisible in the rendered page).
  s = s
    .split('\n')
    .filter((line) => {
      const def = /^ {0,3}\[[^\]\n]+\]:\s*\S/.test(line);
      if (def) removed.linkDefinitions++;
      return !def;
    })
    .join('\n');
  // 5. Entities that encode invisible characters (`&#8203;`, `&zwnj;`) would come back when decoded.
  s = s.replace(/&(?:#(?:x[0-9a-f]+|\d+)|zwsp|zwnj|zwj|lrm|rlm|shy|NoBreak|ZeroWidthSpace);/gi, (m) => {
    const decoded = decodeEntity(m);
    return decoded !== null && stripInvisible(decoded) === '' ? '' : m;
  });
  return s;
}

function decodeEntity(entity: string): string | null {
  const named: Record<string, string> = {
    zwsp: '\u200b',
    zerowidthspace: '\u200b',
    zwnj: '\u200c',
    zwj: '\u200d',
    lrm: '\u200e',
    rlm: '\u200f',
    shy: '\u00ad',
    nobreak: '\u2060',
  };
  const body = entity.slice(1, -1).toLowerCase();
  if (body.startsWith('#x')) {
    const cp = parseInt(body.slice(2), 16);
    return Number.isFinite(cp) && cp <= 0x10ffff ? String.fromCodePoint(cp) : null;
  }
  if (body.startsWith('#')) {
    const cp = parseInt(body.slice(1), 10);
    return Number.isFinite(cp) && cp <= 0x10ffff ? String.fromCodePoint(cp) : null;
  }
  return named[body] ?? null;
}

/** Finds the first hidden element (start, end) in already-masked text, or null. */
function findHiddenElement(s: string): [number, number] | null {
  const openRe = new RegExp(`<([A-Za-z][A-Za-z0-9-]*)(${ATTRIBUTES}\\s*\\/?)>`, 'g');
  for (let m = openRe.exec(s); m; m = openRe.exec(s)) {
    const name = m[1]!.toLowerCase();
    const attrs = m[2] ?? '';
    const isHidden =
      HIDDEN_ELEMENTS.includes(name) ||
      /(?:^|\s)hidden(?:\s|=|\/|$)/i.test(attrs) ||
      /aria-hidden\s*=\s*["']?true/i.test(attrs) ||
      /style\s*=\s*["'][^"']*(?:display\s*:\s*none|visibility\s*:\s*hidden|font-size\s*:\s*0|opacity\s*:\s*0(?![.\d]*[1-9])|color\s*:\s*transparent|height\s*:\s*0|width\s*:\s*0)/i.test(
        attrs,
      );
    if (!isHidden) continue;
    if (attrs.trimEnd().endsWith('/')) return [m.index, m.index + m[0].length];
    // Find the matching close tag, counting nested elements of the same name; unterminated hides the rest.
    const tagRe = new RegExp(`<(/?)${name}(?:${ATTRIBUTES})\\s*>`, 'gi');
    tagRe.lastIndex = m.index + m[0].length;
    let depth = 1;
    for (let t = tagRe.exec(s); t; t = tagRe.exec(s)) {
      depth += t[1] ? -1 : 1;
      if (depth === 0) return [m.index, t.index + t[0].length];
    }
    return [m.index, s.length];
  }
  return null;
}
