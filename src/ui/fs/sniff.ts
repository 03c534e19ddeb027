// Which viewer suits a file, from its first bytes: an image format the browser draws
// (by magic number, never by name), UTF-8 text, or anything else (hex).
// Reference: PNG spec §5.2 (signature); JPEG/JFIF SOI marker FF D8 FF; GIF87a/GIF89a;
// RIFF container with form type "WEBP"; SVG is XML text whose root element is <svg>.

export type ImageMime = 'image/png' | 'image/jpeg' | 'image/gif' | 'image/webp' | 'image/svg+xml';

/** How much of a file's head the viewers look at to decide. */
export const SNIFF_BYTES = 4096;

function startsWith(b: Uint8Array, sig: readonly number[], at = 0): boolean {
  if (b.length < at + sig.length) return false;
  return sig.every((v, i) => b[at + i] === v);
}

const ascii = (s: string) => [...s].map((c) => c.charCodeAt(0));

/** The image type of a file's head, or undefined. */
export function sniffImage(head: Uint8Array): ImageMime | undefined {
  if (startsWith(head, [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])) return 'image/png';
  if (startsWith(head, [0xff, 0xd8, 0xff])) return 'image/jpeg';
  if (startsWith(head, ascii('GIF87a')) || startsWith(head, ascii('GIF89a'))) return 'image/gif';
  if (startsWith(head, ascii('RIFF')) && startsWith(head, ascii('WEBP'), 8)) return 'image/webp';
  if (looksLikeSvg(head)) return 'image/svg+xml';
  return undefined;
}

/** XML text (after an optional BOM, prolog, comments and doctype) whose root is <svg. */
function looksLikeSvg(head: Uint8Array): boolean {
  if (!looksLikeText(head)) return false;
  let text = new TextDecoder().decode(head).replace(/^\uFEFF/, '');
  // Skip what may precede the root element: prolog, comments, doctype, whitespace.
  for (;;) {
    const t = text.trimStart();
    const m = /^(<\?[\s\S]*?\?>|<!--[\s\S]*?-->|<!DOCTYPE[^>]*>)/i.exec(t);
    if (!m) {
      text = t;
      break;
    }
    text = t.slice(m[0].length);
  }
  return /^<svg[\s>]/.test(text);
}

/** Valid UTF-8 with no NUL and few control characters (a cut multi-byte tail allowed). */
export function looksLikeText(head: Uint8Array): boolean {
  let control = 0;
  for (const b of head) {
    if (b === 0) return false;
    if (b < 0x20 && b !== 0x09 && b !== 0x0a && b !== 0x0d && b !== 0x0c && b !== 0x1b) control++;
  }
  if (control > head.length / 100) return false;
  try {
    new TextDecoder('utf-8', { fatal: true }).decode(head.subarray(0, completeUtf8(head)));
    return true;
  } catch {
    return false;
  }
}

/** Length of `b` without an incomplete UTF-8 sequence at its end. */
function completeUtf8(b: Uint8Array): number {
  for (let i = b.length - 1; i >= Math.max(0, b.length - 4); i--) {
    const c = b[i]!;
    if (c < 0x80) return b.length;
    if (c >= 0xc0) {
      const need = c >= 0xf0 ? 4 : c >= 0xe0 ? 3 : 2;
      return b.length - i < need ? i : b.length;
    }
  }
  return b.length;
}

export type ViewerKind = 'text' | 'hex' | 'image';

/** The viewer a file opens in: image by magic, text if its head is text (or it is empty). */
export function defaultViewer(head: Uint8Array): ViewerKind {
  if (sniffImage(head)) return 'image';
  if (head.length === 0 || looksLikeText(head)) return 'text';
  return 'hex';
}
