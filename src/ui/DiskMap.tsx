// The disk-map pane: for every disk, a proportional bar of its partitions and free space
// (logical partitions drawn inside their extended partition), details of the partition
// under the pointer or selected, and a table of every device.

import { useId, useState } from 'react';
import type { DiskSummary, Inventory } from '../engine/guestfs/inventory.js';
import { Bytes } from './Bytes.js';
import { PartitionTable } from './PartitionTable.js';
import { SegmentDetails } from './SegmentDetails.js';
import { VolumeTable } from './VolumeTable.js';
import { type Segment, colourOf, layoutDisk, share } from './layout.js';
import { humanSize } from './format.js';

export function segmentKey(s: Segment): string {
  return s.kind === 'free' ? `free@${s.start}` : s.device.name;
}

function segmentLabel(s: Segment): string {
  if (s.kind === 'free') return `Free space, ${humanSize(s.size)}`;
  const fs = s.device.fs;
  const what =
    s.device.partKind === 'extended' ? 'extended partition' : (fs?.type ?? 'no filesystem');
  return `${s.device.name}: ${what}${fs?.label ? ` “${fs.label}”` : ''}, ${humanSize(s.size)}`;
}

interface Pointer {
  active: string | undefined;
  selected: string | undefined;
  hover(key: string | undefined): void;
  select(key: string): void;
}

/** The sum of what a bar draws: gaps too small to show take no width. */
function drawnTotal(segments: Segment[]): number {
  return segments.reduce((n, s) => n + s.size, 0);
}

function SegmentButton({ seg, total, p }: { seg: Segment; total?: number; p: Pointer }) {
  const key = segmentKey(seg);
  const name = seg.kind === 'free' ? 'free' : seg.device.name.replace('/dev/', '');
  return (
    <button
      type="button"
      className={`seg c-${colourOf(seg)}${p.active === key ? ' active' : ''}`}
      style={total === undefined ? undefined : { flexGrow: share(seg, total) }}
      data-testid="segment"
      data-kind={seg.kind}
      data-device={seg.kind === 'free' ? undefined : seg.device.name}
      data-start={seg.start}
      data-size={seg.size}
      aria-label={segmentLabel(seg)}
      aria-pressed={p.selected === key}
      title={segmentLabel(seg)}
      onMouseEnter={() => p.hover(key)}
      onMouseLeave={() => p.hover(undefined)}
      onFocus={() => p.hover(key)}
      onBlur={() => p.hover(undefined)}
      onClick={() => p.select(key)}
    >
      <span className="seg-name">{name}</span>
      <span className="seg-size">{humanSize(seg.size)}</span>
    </button>
  );
}

/** An extended partition: a strip for itself, with its logical partitions inside. */
function ExtendedSegment({
  seg,
  total,
  p,
}: {
  seg: Segment & { kind: 'partition' };
  total: number;
  p: Pointer;
}) {
  const children = seg.children ?? [];
  const inner = drawnTotal(children);
  return (
    <div className="seg-extended" style={{ flexGrow: share(seg, total) }}>
      <SegmentButton seg={{ ...seg, children: undefined }} p={p} />
      <div className="bar nested" role="group" aria-label={`Inside ${seg.device.name}`}>
        {children.map((c) => (
          <SegmentButton key={segmentKey(c)} seg={c} total={inner} p={p} />
        ))}
      </div>
    </div>
  );
}

export function PartitionBar({
  segments,
  device,
  p,
}: {
  segments: Segment[];
  device: string;
  p: Pointer;
}) {
  // Flex weights must add up to 1 to fill the bar, so they are shares of what is drawn.
  const total = drawnTotal(segments);
  return (
    <div
      className="bar"
      role="group"
      aria-label={`Layout of ${device}`}
      data-testid="partition-bar"
    >
      {segments.map((s) =>
        s.kind === 'partition' && s.children ? (
          <ExtendedSegment key={segmentKey(s)} seg={s} total={total} p={p} />
        ) : (
          <SegmentButton key={segmentKey(s)} seg={s} total={total} p={p} />
        ),
      )}
    </div>
  );
}

function flatten(segments: Segment[]): Segment[] {
  return segments.flatMap((s) =>
    s.kind === 'partition' && s.children ? [s, ...flatten(s.children)] : [s],
  );
}

function DiskPane({ disk, inventory }: { disk: DiskSummary; inventory: Inventory }) {
  const [hovered, setHovered] = useState<string>();
  const [selected, setSelected] = useState<string>();
  const headingId = useId();
  const segments = layoutDisk(inventory, disk);
  const p: Pointer = {
    active: hovered ?? selected,
    selected,
    hover: setHovered,
    select: (k) => setSelected((cur) => (cur === k ? undefined : k)),
  };
  const active = flatten(segments).find((s) => segmentKey(s) === p.active);
  return (
    <section
      className="panel disk"
      aria-labelledby={headingId}
      data-testid="disk"
      data-device={disk.device}
    >
      <h3 id={headingId}>
        {disk.device} <span className="muted">{disk.file}</span> <Bytes value={disk.virtualSize} />
      </h3>
      {disk.error && (
        <p role="alert" className="inline-error">
          Partition table unreadable ({disk.error.kind}): {disk.error.message}
        </p>
      )}
      {disk.partitionTable?.warnings.map((w) => (
        <p key={w} className="inline-warning">
          {w}
        </p>
      ))}
      <PartitionBar segments={segments} device={disk.device} p={p} />
      <SegmentDetails segment={active} />
      <PartitionTable inventory={inventory} disk={disk} />
    </section>
  );
}

export function DiskMap({ inventory }: { inventory: Inventory }) {
  return (
    <section className="disk-map" aria-label="Disk map" data-testid="disk-map">
      {inventory.disks.map((d) => (
        <DiskPane key={d.device} disk={d} inventory={inventory} />
      ))}
      <VolumeTable inventory={inventory} />
    </section>
  );
}
