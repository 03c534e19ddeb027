// Details of the partition (or free space) under the pointer, focused or selected in the
// disk bar: where it is, what type, and what blkid-like probing found in it.

import type { ReactNode } from 'react';
import { Bytes } from './Bytes.js';
import type { Segment } from './layout.js';
import { partitionTypeLabel } from './partition-types.js';

function Row({ k, children }: { k: string; children: ReactNode }) {
  return (
    <div className="fact">
      <dt>{k}</dt>
      <dd>{children}</dd>
    </div>
  );
}

export function SegmentDetails({ segment }: { segment: Segment | undefined }) {
  if (!segment) {
    return (
      <div className="details muted" data-testid="segment-details" aria-live="polite">
        Point at or select a partition for its details.
      </div>
    );
  }
  const d = segment.kind === 'free' ? undefined : segment.device;
  const type = d ? partitionTypeLabel(d) : undefined;
  return (
    <div className="details" data-testid="segment-details" aria-live="polite">
      <strong>{d ? d.name : 'Free space'}</strong>
      <dl>
        <Row k="Start">
          <Bytes value={segment.start} />
        </Row>
        <Row k="Size">
          <Bytes value={segment.size} />
        </Row>
        {type?.id && (
          <Row k="Type">
            {type.name} <span className="mono muted">{type.id}</span>
          </Row>
        )}
        {d?.partKind && <Row k="Kind">{d.partKind}</Row>}
        {d?.bootable && <Row k="Bootable">yes</Row>}
        {d?.partName && <Row k="Name">{d.partName}</Row>}
        {d?.gptGuid && (
          <Row k="Partition GUID">
            <span className="mono">{d.gptGuid}</span>
          </Row>
        )}
        {d?.fs && (
          <Row k="Filesystem">
            {d.fs.type}
            {d.fs.extra.VERSION ? ` (${d.fs.extra.VERSION})` : ''}
          </Row>
        )}
        {d?.fs?.label && <Row k="Label">{d.fs.label}</Row>}
        {d?.fs?.uuid && (
          <Row k="UUID">
            <span className="mono">{d.fs.uuid}</span>
          </Row>
        )}
      </dl>
    </div>
  );
}
