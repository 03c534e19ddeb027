// The text syntax of LVM2 metadata (libdevmapper's config format): sections
// `name { ... }`, assignments `key = value`, values that are integers, floats, double-quoted
// strings (backslash escapes \" and \\) or flat arrays `[v, v, ...]`, `#` comments to the end
// of the line. The parser works on bytes, so a position is a byte offset into the text and
// errors can name the absolute device offset. Depth and size are bounded.
// Reference: LVM2 libdm/libdm-config.c (_tok_*, _section, _value, _type), and the format
// description in LVM2 doc/lvm2-raid.txt / lib/format_text/sample.vg.

import { corrupt } from '../../errors.js';

/** Sections nest four deep in VG metadata (vg → logical_volumes → lv → segment). */
export const MAX_CONFIG_DEPTH = 16;

export type ConfigScalar = number | string;
export type ConfigValue = ConfigScalar | ConfigScalar[];

export interface ConfigNode {
  key: string;
  /** Byte position of the key in the text. */
  at: number;
  value?: ConfigValue;
  section?: ConfigSection;
}

export class ConfigSection {
  constructor(
    readonly name: string,
    readonly at: number,
    readonly nodes: ConfigNode[],
  ) {}
  node(key: string): ConfigNode | undefined {
    return this.nodes.find((n) => n.key === key);
  }
  sections(): ConfigNode[] {
    return this.nodes.filter((n) => n.section);
  }
}

/** Where a syntax error is reported: the structure name and a byte position → offset map. */
export interface TextOrigin {
  structure: string;
  offsetOf(pos: number): number;
}

const enum Tok {
  End,
  Ident,
  Str,
  Num,
  Eq,
  LBrace,
  RBrace,
  LBracket,
  RBracket,
  Comma,
}

interface Token {
  t: Tok;
  at: number;
  text: string;
}

const PUNCT: Record<number, Tok> = {
  0x3d: Tok.Eq,
  0x7b: Tok.LBrace,
  0x7d: Tok.RBrace,
  0x5b: Tok.LBracket,
  0x5d: Tok.RBracket,
  0x2c: Tok.Comma,
};
const utf8 = new TextDecoder('utf-8');

function isSpace(c: number): boolean {
  return c === 0x20 || c === 0x09 || c === 0x0a || c === 0x0d || c === 0x0b || c === 0x0c;
}
/** Identifier characters: anything that is not space, punctuation, quote or comment. */
function isWordChar(c: number): boolean {
  return !isSpace(c) && !(c in PUNCT) && c !== 0x22 && c !== 0x23 && c !== 0;
}

class Lexer {
  pos = 0;
  private peeked: Token | undefined;
  /** The text ends at its length or at the first NUL (lvm2 stores a terminating NUL). */
  readonly end: number;

  constructor(
    private readonly b: Uint8Array,
    private readonly origin: TextOrigin,
  ) {
    const nul = b.indexOf(0);
    this.end = nul < 0 ? b.length : nul;
  }

  fail(at: number, what: string): never {
    throw corrupt(this.origin.structure, this.origin.offsetOf(at), `syntax error: ${what}`);
  }

  peek(): Token {
    this.peeked ??= this.scan();
    return this.peeked;
  }

  next(): Token {
    const t = this.peek();
    this.peeked = undefined;
    return t;
  }

  private skipSpaceAndComments(): void {
    const b = this.b;
    while (this.pos < this.end) {
      const c = b[this.pos]!;
      if (isSpace(c)) this.pos++;
      else if (c === 0x23) {
        while (this.pos < this.end && b[this.pos] !== 0x0a) this.pos++;
      } else break;
    }
  }

  private scan(): Token {
    this.skipSpaceAndComments();
    const at = this.pos;
    if (at >= this.end) return { t: Tok.End, at, text: '' };
    const c = this.b[at]!;
    const p = PUNCT[c];
    if (p !== undefined) {
      this.pos++;
      return { t: p, at, text: String.fromCharCode(c) };
    }
    if (c === 0x22) return this.scanString(at);
    while (this.pos < this.end && isWordChar(this.b[this.pos]!)) this.pos++;
    const text = utf8.decode(this.b.subarray(at, this.pos));
    return { t: /^-?[0-9]/.test(text) ? Tok.Num : Tok.Ident, at, text };
  }

  private scanString(at: number): Token {
    const b = this.b;
    const parts: Uint8Array[] = [];
    let start = ++this.pos;
    while (this.pos < this.end && b[this.pos] !== 0x22) {
      if (b[this.pos] === 0x5c) {
        // An escape keeps the next byte literally (\" and \\ are what lvm2 writes).
        parts.push(b.subarray(start, this.pos));
        this.pos++;
        if (this.pos >= this.end) break;
        start = this.pos;
      }
      this.pos++;
    }
    if (this.pos >= this.end) this.fail(at, 'unterminated string');
    parts.push(b.subarray(start, this.pos));
    this.pos++;
    const len = parts.reduce((n, p) => n + p.length, 0);
    const joined = new Uint8Array(len);
    let o = 0;
    for (const p of parts) {
      joined.set(p, o);
      o += p.length;
    }
    return { t: Tok.Str, at, text: utf8.decode(joined) };
  }
}

/** Parse a whole metadata text into its top-level section (named ""). */
export function parseConfigText(bytes: Uint8Array, origin: TextOrigin): ConfigSection {
  const lx = new Lexer(bytes, origin);
  const nodes = parseBody(lx, 0);
  const t = lx.next();
  if (t.t !== Tok.End) lx.fail(t.at, `unexpected "${t.text}"`);
  return new ConfigSection('', 0, nodes);
}

function parseBody(lx: Lexer, depth: number): ConfigNode[] {
  const nodes: ConfigNode[] = [];
  for (;;) {
    const t = lx.peek();
    if (t.t === Tok.End || t.t === Tok.RBrace) return nodes;
    lx.next();
    if (t.t !== Tok.Ident) lx.fail(t.at, `expected a name, found "${t.text}"`);
    const op = lx.next();
    if (op.t === Tok.Eq) {
      nodes.push({ key: t.text, at: t.at, value: parseValue(lx) });
    } else if (op.t === Tok.LBrace) {
      if (depth + 1 > MAX_CONFIG_DEPTH)
        lx.fail(op.at, `sections nested deeper than ${MAX_CONFIG_DEPTH}`);
      const body = parseBody(lx, depth + 1);
      const close = lx.next();
      if (close.t !== Tok.RBrace) lx.fail(close.at, `section "${t.text}" is not closed`);
      nodes.push({ key: t.text, at: t.at, section: new ConfigSection(t.text, t.at, body) });
    } else {
      lx.fail(op.at, `expected "=" or "{" after "${t.text}"`);
    }
  }
}

function parseValue(lx: Lexer): ConfigValue {
  const t = lx.next();
  if (t.t !== Tok.LBracket) return scalar(lx, t);
  const out: ConfigScalar[] = [];
  if (lx.peek().t === Tok.RBracket) {
    lx.next();
    return out;
  }
  for (;;) {
    out.push(scalar(lx, lx.next()));
    const sep = lx.next();
    if (sep.t === Tok.RBracket) return out;
    if (sep.t !== Tok.Comma) lx.fail(sep.at, 'expected "," or "]" in array');
  }
}

function scalar(lx: Lexer, t: Token): ConfigScalar {
  if (t.t === Tok.Str) return t.text;
  if (t.t !== Tok.Num) lx.fail(t.at, `expected a value, found "${t.text || 'end of text'}"`);
  if (!/^-?[0-9]+(\.[0-9]+)?$/.test(t.text)) lx.fail(t.at, `bad number "${t.text}"`);
  const v = Number(t.text);
  // Integers past 2^53 would silently round: refuse them.
  if (!t.text.includes('.') && !Number.isSafeInteger(v))
    lx.fail(t.at, `number out of range "${t.text}"`);
  return v;
}
