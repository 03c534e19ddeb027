// How the listing prints an entry's mode and time: the permission string exactly as
// `ls -l` / `stat -c %A` print it (type letter, rwx with s/S, t/T for setuid, setgid and
// sticky), and modification times in UTC so a listing reads the same in every time zone.
// Reference: GNU coreutils lib/filemode.c (strmode); POSIX ls "-l".

const TYPE_LETTER: Record<number, string> = {
  0o140000: 's',
  0o120000: 'l',
  0o100000: '-',
  0o060000: 'b',
  0o040000: 'd',
  0o020000: 'c',
  0o010000: 'p',
};

function triad(bits: number, special: boolean, specialLetter: string): string {
  const r = bits & 4 ? 'r' : '-';
  const w = bits & 2 ? 'w' : '-';
  const x = bits & 1;
  const last = special ? (x ? specialLetter : specialLetter.toUpperCase()) : x ? 'x' : '-';
  return r + w + last;
}

/** 0o100644 → "-rw-r--r--"; 0o41777 → "drwxrwxrwt"; an unknown type is "?". */
export function modeString(mode: number): string {
  const type = TYPE_LETTER[mode & 0o170000] ?? '?';
  return (
    type +
    triad((mode >> 6) & 7, (mode & 0o4000) !== 0, 's') +
    triad((mode >> 3) & 7, (mode & 0o2000) !== 0, 's') +
    triad(mode & 7, (mode & 0o1000) !== 0, 't')
  );
}

const pad = (n: number, w = 2) => String(n).padStart(w, '0');

/** Seconds since the epoch → "2023-11-14 22:13:20" (UTC). */
export function formatTime(sec: number): string {
  const d = new Date(sec * 1000);
  if (Number.isNaN(d.getTime())) return String(sec);
  return (
    `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())} ` +
    `${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())}`
  );
}
