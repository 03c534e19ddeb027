// An rpm header → guestfs_application2, as libguestfs' librpm lister fills it: name,
// version, release, arch, url, summary and description through headerFormat("%{TAG}"),
// which prints "(none)" for a tag the header lacks, and epoch through headerGetNumber
// (0 when absent). libguestfs leaves publisher (VENDOR) and source_package (SOURCERPM)
// empty for rpm; so do we.
// Reference: libguestfs daemon/rpm-c.c (guestfs_int_daemon_rpm_next_application),
// daemon/rpm.ml; rpm lib/formats.c ("(none)").

import type { Application2 } from '../../types.js';
import { application } from '../application.js';
import {
  RPMTAG_ARCH,
  RPMTAG_DESCRIPTION,
  RPMTAG_EPOCH,
  RPMTAG_NAME,
  RPMTAG_RELEASE,
  RPMTAG_SUMMARY,
  RPMTAG_URL,
  RPMTAG_VERSION,
  type RpmHeader,
} from './header.js';

const NONE = '(none)';

export function rpmApplication(h: RpmHeader): Application2 {
  const fmt = (tag: number) => h.string(tag) ?? NONE;
  return application({
    app2_name: fmt(RPMTAG_NAME),
    app2_epoch: h.int32(RPMTAG_EPOCH) ?? 0,
    app2_version: fmt(RPMTAG_VERSION),
    app2_release: fmt(RPMTAG_RELEASE),
    app2_arch: fmt(RPMTAG_ARCH),
    app2_url: fmt(RPMTAG_URL),
    app2_summary: fmt(RPMTAG_SUMMARY),
    app2_description: fmt(RPMTAG_DESCRIPTION),
  });
}
