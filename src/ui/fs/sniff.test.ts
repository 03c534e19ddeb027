// Viewer choice against file(1): images written by netpbm and by the e2e-fs fixture
// (a PNG written from the spec, an SVG), text and binary files; `file --mime-type` is the
// independent judge of what each file is.

import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureFixture } from '../../../tests/helpers/fixtures.js';
import { SNIFF_BYTES, defaultViewer, looksLikeText, sniffImage } from './sniff.js';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'fsui-sniff-'));
let fixture: string;
beforeAll(() => {
  fixture = ensureFixture('e2e-fs');
});
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

const head = (p: string) => new Uint8Array(fs.readFileSync(p).subarray(0, SNIFF_BYTES));
const fileMime = (p: string) => execFileSync('file', ['-b', '--mime-type', p]).toString().trim();

function has(tool: string): boolean {
  try {
    execFileSync('sh', ['-c', `command -v ${tool}`], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

/** An 8×6 PPM (netpbm's input format). */
function ppm(): string {
  const p = path.join(tmp, 'x.ppm');
  const pixels = Buffer.alloc(8 * 6 * 3, 0x7f);
  fs.writeFileSync(p, Buffer.concat([Buffer.from('P6\n8 6\n255\n'), pixels]));
  return p;
}

describe('sniffImage', () => {
  it.runIf(has('pnmtojpeg') && has('pamtogif') && has('pamtopng'))(
    'names the type file(1) names for images netpbm wrote',
    () => {
      for (const [tool, ext] of [
        ['pnmtojpeg', 'jpg'],
        ['pamtogif', 'gif'],
        ['pamtopng', 'png'],
      ] as const) {
        const p = path.join(tmp, `x.${ext}`);
        fs.writeFileSync(p, execFileSync(tool, [ppm()], { stdio: ['ignore', 'pipe', 'ignore'] }));
        expect([ext, sniffImage(head(p))]).toEqual([ext, fileMime(p)]);
      }
    },
  );

  it('names a WebP (RIFF container, VP8L chunk) as file(1) does', () => {
    const p = path.join(tmp, 'x.webp');
    const vp8l = [0x2f, 0, 0, 0, 0x10, 0x07, 0x10, 0x11, 0x11, 0x88, 0x88, 0xfe, 0x07, 0];
    const body = Buffer.concat([
      Buffer.from('WEBPVP8L'),
      Buffer.from([13, 0, 0, 0]),
      Buffer.from(vp8l),
    ]);
    const size = Buffer.alloc(4);
    size.writeUInt32LE(body.length);
    fs.writeFileSync(p, Buffer.concat([Buffer.from('RIFF'), size, body]));
    expect(sniffImage(head(p))).toBe(fileMime(p));
  });

  it('recognises the fixture PNG and SVG as file(1) does', () => {
    const png = path.join(fixture, 'src/ext4/media/photo.png');
    const svg = path.join(fixture, 'src/ext4/media/drawing.svg');
    expect(sniffImage(head(png))).toBe(fileMime(png));
    expect(sniffImage(head(svg))).toBe(fileMime(svg));
  });

  it('finds an SVG root after a prolog, a comment and a doctype', () => {
    const svg =
      '\uFEFF<?xml version="1.0"?>\n<!-- drawn by hand -->\n' +
      '<!DOCTYPE svg PUBLIC "-//W3C//DTD SVG 1.1//EN" "x">\n<svg width="1"></svg>';
    expect(sniffImage(new TextEncoder().encode(svg))).toBe('image/svg+xml');
    expect(sniffImage(new TextEncoder().encode('<html><svg></svg></html>'))).toBeUndefined();
  });
});

describe('defaultViewer', () => {
  it('opens text as text, binary as hex, images as images', () => {
    const f = (p: string) => path.join(fixture, 'src/ext4', p);
    expect(fileMime(f('docs/long.txt'))).toBe('text/plain');
    expect(defaultViewer(head(f('docs/long.txt')))).toBe('text');
    expect(defaultViewer(head(f('bin/blob.bin')))).toBe('hex');
    expect(defaultViewer(head(f('media/photo.png')))).toBe('image');
    expect(defaultViewer(new Uint8Array())).toBe('text');
  });

  it('accepts a multi-byte character cut at the end of the head, refuses NUL', () => {
    const t = new TextEncoder().encode('Grüße');
    expect(looksLikeText(t.subarray(0, 3))).toBe(true);
    expect(looksLikeText(new Uint8Array([0x41, 0, 0x41]))).toBe(false);
    expect(looksLikeText(new Uint8Array([0xff, 0xfe, 0x41]))).toBe(false);
  });
});
