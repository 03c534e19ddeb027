// Human-readable numbers for the UI. Sizes are printed exactly as qemu-img prints them
// (format.test.ts compares with `qemu-img info`): binary units, three significant digits,
// and the next unit from 1000 of the previous one ("0.977 MiB", "12.4 MiB", "100 GiB").
// The exact byte count is always beside them (Bytes.tsx: tooltip and data-bytes).
// Reference: qemu util/cutils.c size_to_str().

const UNITS = ['B', 'KiB', 'MiB', 'GiB', 'TiB', 'PiB', 'EiB'] as const;

export function humanSize(bytes: number): string {
  if (!Number.isFinite(bytes) || bytes < 0) return String(bytes);
  if (bytes === 0) return '0 B';
  // floor(log2(bytes · 1024/1000) / 10): switch units at 1000, not 1024, so the number
  // never needs four digits.
  const unit = Math.min(
    UNITS.length - 1,
    Math.max(0, Math.floor(Math.log2((bytes * 1024) / 1000) / 10)),
  );
  return `${threeDigits(bytes / 2 ** (10 * unit))} ${UNITS[unit]}`;
}

/** printf's "%.3g" for 0.5 ≤ v < 1000: three significant digits, ties to even, no
 * trailing zeros. */
function threeDigits(v: number): string {
  const decimals = 2 - Math.floor(Math.log10(v));
  const scaled = v * 10 ** decimals;
  const floor = Math.floor(scaled);
  const n = scaled - floor === 0.5 && floor % 2 === 0 ? floor : Math.round(scaled);
  return trimZeros((n / 10 ** decimals).toFixed(Math.max(0, decimals)));
}

function trimZeros(s: string): string {
  return s.includes('.') ? s.replace(/\.?0+$/, '') : s;
}

/** 1234567 → "1,234,567" (the exact form shown on hover). */
export function exactBytes(bytes: number): string {
  return `${bytes.toLocaleString('en-US')} bytes`;
}

/** "clusterSize" → "Cluster size", "extendedL2" → "Extended L2". */
export function factLabel(key: string): string {
  const words = key
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .replace(/([A-Z]+)([A-Z][a-z])/g, '$1 $2')
    .split(' ');
  return words
    .map((w, i) =>
      i === 0 ? w[0]!.toUpperCase() + w.slice(1) : /^[A-Z0-9]+$/.test(w) ? w : w.toLowerCase(),
    )
    .join(' ');
}

/** A format fact's value as text; sizes go through humanSize. */
export function factValue(key: string, value: unknown): string {
  if (value === undefined || value === null) return '';
  if (typeof value === 'boolean') return value ? 'yes' : 'no';
  if (typeof value === 'number' && /size$/i.test(key)) return humanSize(value);
  if (Array.isArray(value)) return value.length === 0 ? 'none' : value.map(String).join(', ');
  return String(value);
}

/** 0.0123 → "1.2%" (for "read 1.2% of the image"). */
export function percent(part: number, whole: number): string {
  if (whole <= 0) return '0%';
  const p = (part / whole) * 100;
  if (p > 0 && p < 0.01) return '<0.01%';
  return `${trimZeros(p.toPrecision(p >= 10 ? 3 : 2))}%`;
}
