// Shell wildcard matching for glob_expand (glob(3) with GLOB_MARK|GLOB_BRACE) and for
// tar_out's excludes (fnmatch(3)): "*", "?", bracket expressions with POSIX classes,
// backslash escapes, a leading "." matched only explicitly (FNM_PERIOD), and glibc's
// brace expansion.
// Reference: POSIX.1-2017 XCU 2.13 "Pattern Matching Notation"; glibc glob(3) GLOB_BRACE,
// GLOB_MARK; fnmatch(3) FNM_PERIOD.

import { EngineError } from '../errors.js';
import { bracket, literal } from './posix-regex.js';

export interface FnmatchOptions {
  /** A leading "." must be matched by a literal "." (FNM_PERIOD). */
  period?: boolean;
  /** "*" and "?" also match "/" (fnmatch without FNM_PATHNAME, as GNU tar excludes use). */
  matchSlash?: boolean;
}

/** Whether `pattern` has an unescaped wildcard. */
export function hasMagic(pattern: string): boolean {
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i];
    if (c === '\\') i++;
    else if (c === '*' || c === '?') return true;
    else if (c === '[' && bracket(pattern, i)) return true;
  }
  return false;
}

/** Removes glob escapes: "a\*b" → "a*b". */
export function unescapeGlob(pattern: string): string {
  return pattern.replace(/\\(.)/gs, '$1');
}

const cache = new Map<string, RegExp>();

/** Compiles a wildcard pattern into an anchored RegExp. */
export function globRegExp(pattern: string, opts: FnmatchOptions = {}): RegExp {
  const key = `${opts.period ? 'p' : ''}${opts.matchSlash ? 's' : ''}:${pattern}`;
  let re = cache.get(key);
  if (re) return re;
  const any = opts.matchSlash ? '[^]' : '[^/]';
  let src = '';
  for (let i = 0; i < pattern.length;) {
    const c = pattern[i]!;
    if (c === '\\' && i + 1 < pattern.length) {
      src += literal(pattern[i + 1]!);
      i += 2;
    } else if (c === '*') {
      src += `${any}*`;
      i++;
    } else if (c === '?') {
      src += any;
      i++;
    } else if (c === '[' && bracket(pattern, i)) {
      const [cls, next] = bracket(pattern, i)!;
      src += opts.matchSlash ? cls : `(?!/)${cls}`;
      i = next;
    } else {
      src += literal(c);
      i++;
    }
  }
  // FNM_PERIOD: a name starting with "." only matches a pattern starting with a literal ".".
  const lead = opts.period && !/^(\\?\.)/.test(pattern) ? '(?!\\.)' : '';
  re = new RegExp(`^${lead}${src}$`, 'u');
  if (cache.size > 1024) cache.clear();
  cache.set(key, re);
  return re;
}

export function fnmatch(pattern: string, name: string, opts: FnmatchOptions = {}): boolean {
  return globRegExp(pattern, opts).test(name);
}

/** The index of the "}" closing the "{" at `open`, or -1. */
function closingBrace(p: string, open: number): number {
  let depth = 0;
  for (let i = open; i < p.length; i++) {
    const c = p[i];
    if (c === '\\') i++;
    else if (c === '{') depth++;
    else if (c === '}' && --depth === 0) return i;
  }
  return -1;
}

/** Top-level comma-separated alternatives of a brace body. */
function alternatives(body: string): string[] {
  const out: string[] = [];
  let depth = 0;
  let start = 0;
  for (let i = 0; i < body.length; i++) {
    const c = body[i];
    if (c === '\\') i++;
    else if (c === '{') depth++;
    else if (c === '}') depth--;
    else if (c === ',' && depth === 0) {
      out.push(body.slice(start, i));
      start = i + 1;
    }
  }
  out.push(body.slice(start));
  return out;
}

/** Cap on the patterns one brace expression may expand to (each is a directory walk). */
export const MAX_BRACE_EXPANSIONS = 4096;

/**
 * glibc GLOB_BRACE: "a{b,c{d,e}}f" → ["abf", "acdf", "acef"], leftmost brace first. An
 * unbalanced "{" is literal.
 */
export function expandBraces(pattern: string): string[] {
  for (let i = 0; i < pattern.length; i++) {
    if (pattern[i] === '\\') {
      i++;
      continue;
    }
    if (pattern[i] !== '{') continue;
    const close = closingBrace(pattern, i);
    if (close < 0) return [pattern];
    const head = pattern.slice(0, i);
    const tail = pattern.slice(close + 1);
    const out: string[] = [];
    for (const alt of alternatives(pattern.slice(i + 1, close))) {
      for (const x of expandBraces(head + alt + tail)) {
        out.push(x);
        if (out.length > MAX_BRACE_EXPANSIONS)
          throw new EngineError(
            'EINVAL',
            `glob_expand: "${pattern}" expands to more than ${MAX_BRACE_EXPANSIONS} patterns`,
          );
      }
    }
    return out;
  }
  return [pattern];
}
