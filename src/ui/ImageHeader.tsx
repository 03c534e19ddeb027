// The facts of each opened image: name, format, virtual size, backing chain, partition
// table and what the format says about itself (cluster size, compression, snapshots…).

import type { ReactNode } from 'react';
import type { Snapshot } from '../engine/formats/types.js';
import type { DiskSummary } from '../engine/guestfs/inventory.js';
import { Bytes } from './Bytes.js';
import { factLabel, factValue } from './format.js';

/** Facts shown elsewhere in the header, or that are not facts about the image. */
const SHOWN_ELSEWHERE = new Set([
  'snapshots',
  'snapshotCount',
  'backingFile',
  'virtualSize',
  'format',
]);

function Fact({
  label,
  testId,
  children,
}: {
  label: string;
  testId?: string;
  children: ReactNode;
}) {
  return (
    <div className="fact">
      <dt>{label}</dt>
      <dd data-testid={testId}>{children}</dd>
    </div>
  );
}

function basename(path: string): string {
  return path.slice(Math.max(path.lastIndexOf('/'), path.lastIndexOf('\\')) + 1);
}

function FormatFacts({ disk }: { disk: DiskSummary }) {
  const entries = Object.entries(disk.info).filter(
    ([k, v]) =>
      !SHOWN_ELSEWHERE.has(k) && v !== undefined && !(Array.isArray(v) && typeof v[0] === 'object'),
  );
  return (
    <>
      {entries.map(([k, v]) => (
        <Fact key={k} label={factLabel(k)} testId={`fact-${k}`}>
          {typeof v === 'number' && /size$/i.test(k) ? <Bytes value={v} /> : factValue(k, v)}
        </Fact>
      ))}
    </>
  );
}

function Snapshots({ snapshots }: { snapshots: Snapshot[] }) {
  if (snapshots.length === 0) return <>none</>;
  return (
    <ul className="snapshots">
      {snapshots.map((s) => (
        <li key={s.id}>
          <span className="mono">{s.id}</span> {s.name}
          {s.date ? <span className="muted"> · {s.date}</span> : null}
        </li>
      ))}
    </ul>
  );
}

export function ImageHeader({ disk }: { disk: DiskSummary }) {
  const chain = [disk.file, ...disk.backingChain.map(basename)];
  const table = disk.partitionTable;
  return (
    <section
      className="panel image-header"
      aria-label={`Image ${disk.file}`}
      data-testid="image-header"
    >
      <h2 data-testid="image-name">{disk.file}</h2>
      <dl className="facts">
        <Fact label="Format" testId="image-format">
          {disk.format}
        </Fact>
        <Fact label="Virtual size" testId="virtual-size">
          <Bytes value={disk.virtualSize} />
        </Fact>
        <Fact label="Backing chain" testId="backing-chain">
          {chain.length > 1 ? chain.join(' → ') : 'none'}
        </Fact>
        <Fact label="Partition table" testId="partition-table">
          {table
            ? `${table.type === 'gpt' ? 'GPT' : 'MBR'}${table.id ? ` · ${table.id}` : ''}`
            : 'none'}
        </Fact>
        <FormatFacts disk={disk} />
        <Fact label="Snapshots" testId="snapshots">
          <Snapshots snapshots={disk.snapshots} />
        </Fact>
      </dl>
    </section>
  );
}
