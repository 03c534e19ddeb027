// POSIX basic and extended regular expressions (with the GNU extensions grep accepts)
// translated to JavaScript RegExp source, for the grep family of actions. Bracket
// expressions follow POSIX (a backslash is literal inside them, "]" first is literal,
// [:class:] names); the C locale's classes are ASCII, as in the appliance.
// Reference: POSIX.1-2017 XBD 9 "Regular Expressions"; GNU grep manual "Regular
// Expressions" (\< \> \b \w \s, \+ \? \| in BRE).

import { EngineError } from '../errors.js';

const CLASSES: Record<string, string> = {
  alpha: 'A-Za-z',
  digit: '0-9',
  alnum: '0-9A-Za-z',
  upper: 'A-Z',
  lower: 'a-z',
  space: ' \\t\\n\\r\\f\\v',
  blank: ' \\t',
  punct: '!-\\/:-@\\[-`{-~',
  print: ' -~',
  graph: '!-~',
  cntrl: '\\x00-\\x1f\\x7f',
  xdigit: '0-9A-Fa-f',
};

const SYNTAX = new Set('^$\\.*+?()[]{}|/');

/** A literal character as RegExp source (valid with the `u` flag). */
export function literal(c: string): string {
  return SYNTAX.has(c) ? `\\${c}` : c;
}

function classLiteral(c: string): string {
  return '\\]['.includes(c) || c === '^' || c === '-' ? `\\${c}` : c;
}

function bad(pattern: string, why: string): EngineError {
  return new EngineError('EINVAL', `grep: invalid regular expression "${pattern}": ${why}`);
}

/** Parses a bracket expression starting at `start` ("["); returns [source, next index]. */
export function bracket(p: string, start: number): [string, number] | undefined {
  let i = start + 1;
  let neg = false;
  if (p[i] === '^' || p[i] === '!') {
    neg = true;
    i++;
  }
  let body = '';
  let first = true;
  while (i < p.length) {
    const c = p[i]!;
    if (c === ']' && !first) return [`[${neg ? '^' : ''}${body}]`, i + 1];
    first = false;
    if (c === '[' && p[i + 1] === ':') {
      const end = p.indexOf(':]', i + 2);
      const cls = end < 0 ? undefined : CLASSES[p.slice(i + 2, end)];
      if (cls === undefined) return undefined;
      body += cls;
      i = end + 2;
      continue;
    }
    if (c === '[' && (p[i + 1] === '.' || p[i + 1] === '=')) {
      const close = p.indexOf(`${p[i + 1]}]`, i + 2);
      if (close < 0) return undefined;
      body += [...p.slice(i + 2, close)].map(classLiteral).join('');
      i = close + 2;
      continue;
    }
    if (p[i + 1] === '-' && p[i + 2] !== undefined && p[i + 2] !== ']') {
      body += `${classLiteral(c)}-${classLiteral(p[i + 2]!)}`;
      i += 3;
      continue;
    }
    body += classLiteral(c);
    i++;
  }
  return undefined;
}

/** Escapes shared by BRE and ERE after a backslash; undefined = not special. */
function gnuEscape(c: string): string | undefined {
  switch (c) {
    case '<':
      return '\\b(?=\\w)';
    case '>':
      return '\\b(?<=\\w)';
    case 'b':
    case 'B':
    case 'w':
    case 'W':
    case 's':
    case 'S':
      return `\\${c}`;
    case '`':
      return '^';
    case "'":
      return '$';
    default:
      return /[1-9]/.test(c) ? `\\${c}` : undefined;
  }
}

/** Extended RE → RegExp source. */
function translateEre(p: string): string {
  let out = '';
  let atStart = true;
  for (let i = 0; i < p.length;) {
    const c = p[i]!;
    if (c === '\\') {
      const n = p[i + 1];
      if (n === undefined) throw bad(p, 'trailing backslash');
      out += gnuEscape(n) ?? literal(n);
      i += 2;
    } else if (c === '[') {
      const b = bracket(p, i);
      if (!b) throw bad(p, 'unmatched [');
      out += b[0];
      i = b[1];
    } else if (c === '{') {
      const m = /^\{(\d*)(,(\d*))?\}/.exec(p.slice(i));
      if (m && !atStart && (m[1] !== '' || m[3])) {
        out += `{${m[1] || '0'}${m[2] ? `,${m[3] ?? ''}` : ''}}`;
        i += m[0].length;
      } else {
        out += '\\{';
        i++;
      }
    } else if ((c === '*' || c === '+' || c === '?') && atStart) {
      out += literal(c); // GNU: a repetition with nothing before it is literal
      i++;
    } else {
      out += c === '}' || c === ']' ? `\\${c}` : c;
      i++;
    }
    atStart = c === '(' || c === '|' || (c === '^' && atStart);
  }
  return out;
}

/** Basic RE → RegExp source. */
function translateBre(p: string): string {
  let out = '';
  let atStart = true;
  for (let i = 0; i < p.length;) {
    const c = p[i]!;
    let next = false;
    if (c === '\\') {
      const n = p[i + 1];
      if (n === undefined) throw bad(p, 'trailing backslash');
      if (n === '(' || n === '|') next = true;
      if (n === '(' || n === ')' || n === '|' || n === '+' || n === '?') out += n;
      else if (n === '{') {
        const m = /^\\\{(\d*)(,(\d*))?\\\}/.exec(p.slice(i));
        if (!m) throw bad(p, 'unmatched \\{');
        out += `{${m[1] || '0'}${m[2] ? `,${m[3] ?? ''}` : ''}}`;
        i += m[0].length;
        atStart = false;
        continue;
      } else out += gnuEscape(n) ?? literal(n);
      i += 2;
    } else if (c === '[') {
      const b = bracket(p, i);
      if (!b) throw bad(p, 'unmatched [');
      out += b[0];
      i = b[1];
    } else if (c === '^') {
      out += atStart ? '^' : '\\^';
      next = atStart;
      i++;
    } else if (c === '$') {
      const end = i === p.length - 1 || p.startsWith('\\)', i + 1) || p.startsWith('\\|', i + 1);
      out += end ? '$' : '\\$';
      i++;
    } else if (c === '*') {
      out += atStart ? '\\*' : '*';
      i++;
    } else if (c === '.') {
      out += '.';
      i++;
    } else {
      out += literal(c);
      i++;
    }
    atStart = next;
  }
  return out;
}

export interface GrepOptions {
  extended?: boolean;
  fixed?: boolean;
  insensitive?: boolean;
  compressed?: boolean;
}

/** The RegExp grep would use; newline-separated patterns are alternatives, as in grep. */
export function compileGrep(regex: string, opts: GrepOptions): RegExp {
  if (opts.extended && opts.fixed)
    throw new EngineError('EINVAL', 'grep: extended and fixed cannot both be set');
  const parts = regex.split('\n').map((p) => {
    if (opts.fixed) return [...p].map(literal).join('');
    return opts.extended ? translateEre(p) : translateBre(p);
  });
  const source = parts.length === 1 ? parts[0]! : parts.map((s) => `(?:${s})`).join('|');
  try {
    return new RegExp(source, `su${opts.insensitive ? 'i' : ''}`);
  } catch (e) {
    throw bad(regex, e instanceof Error ? e.message : String(e));
  }
}
