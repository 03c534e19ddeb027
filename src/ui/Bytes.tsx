// A size as people read it ("12.4 MiB"), with the exact byte count on hover and in
// data-bytes for scripts and tests.

import { exactBytes, humanSize } from './format.js';

export function Bytes({ value, testId }: { value: number; testId?: string }) {
  return (
    <span className="bytes" title={exactBytes(value)} data-bytes={value} data-testid={testId}>
      {humanSize(value)}
    </span>
  );
}
