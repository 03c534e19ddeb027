// os-release values are shell assignments (os-release(5)): guestkit's unquoting must give
// what a POSIX shell gives for the same text. The oracle is this machine's /bin/sh, which
// evaluates each assignment and prints the value.

import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import {
  parseKeyValueStrings,
  shellUnquote,
  unixCanonicalPath,
} from '../../src/engine/inspect/text.js';

/** What `sh` assigns for `X=<raw>`. */
function shell(raw: string): string {
  return execFileSync('sh', ['-c', `X=${raw}\nprintf '%s' "$X"`], { encoding: 'utf8' });
}

const VALUES = [
  'plain',
  '"Fedora Linux 39 (Thirty Nine)"',
  "'single quoted $HOME'",
  '"escaped \\"quote\\" and \\$dollar and \\\\backslash"',
  '"keeps \\n as two characters"',
  'mixed"double"\'single\'',
  'back\\ slash\\ spaces',
  '""',
  '"0;38;2;60;110;180"',
  '"https://example.org/a?b=c&d"',
];

describe('os-release values, as the shell reads them', () => {
  for (const raw of VALUES) {
    it(`unquotes ${raw}`, () => {
      expect(shellUnquote(raw)).toBe(shell(raw));
    });
  }

  it('splits KEY=value lines at the first "=", skipping blanks and comments', () => {
    const lines = ['# comment', '', 'ID=fedora', 'URL="a=b"', 'NOVALUE'];
    expect(parseKeyValueStrings(lines, shellUnquote)).toEqual([
      ['ID', shell('fedora')],
      ['URL', shell('"a=b"')],
      ['NOVALUE', ''],
    ]);
  });

  it('canonicalises fstab mountpoints as realpath -m does', () => {
    for (const p of ['///home//user///', '/', '/usr/local/', '//srv']) {
      const want = execFileSync('realpath', ['-m', '--no-symlinks', p], {
        encoding: 'utf8',
      }).trim();
      expect(unixCanonicalPath(p)).toBe(want);
    }
  });
});
