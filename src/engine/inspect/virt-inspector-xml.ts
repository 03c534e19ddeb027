// The report as virt-inspector prints it, byte for byte: libxml2's text writer with a
// two-space indent, an XML declaration without encoding, one element per line, elements
// with no children closed as "<x/>", text escaped as xmlTextWriterWriteString escapes it
// (& < > " and CR), attribute values as xmlTextWriterWriteAttribute escapes them (also " and
// the whitespace controls), and the icon as base64 in 72-character lines joined by CR LF
// (libxml2's xmlTextWriterWriteBase64).
// Reference: guestfs-tools inspector/inspector.c (output_*), libxml2 xmlwriter.c
// (xmlTextWriterStartElement, xmlTextWriterEndElement, xmlTextWriterWriteBase64),
// xmlsave.c (xmlEscapeContent, xmlAttrSerializeTxtContent).

import type { InspectorReport, ReportApplication, ReportOs } from './report.js';

const TEXT_ESCAPES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  '\r': '&#13;',
};

/** Text content: what xmlTextWriterWriteString escapes (double quotes included). */
export function escapeText(s: string): string {
  return s.replace(/[&<>"\r]/g, (c) => TEXT_ESCAPES[c]!);
}

/** Attribute values: also quotes and the whitespace a parser would normalise. */
export function escapeAttr(s: string): string {
  const map: Record<string, string> = {
    '&': '&amp;',
    '<': '&lt;',
    '>': '&gt;',
    '"': '&quot;',
    '\n': '&#10;',
    '\r': '&#13;',
    '\t': '&#9;',
  };
  return s.replace(/[&<>"\n\r\t]/g, (c) => map[c]!);
}

/** Base64 in 72-character lines separated by CR LF, no line break at the end. */
export function base64Lines(bytes: Uint8Array): string {
  let bin = '';
  for (let i = 0; i < bytes.length; i += 0x8000)
    bin += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  const b64 = btoa(bin);
  const lines: string[] = [];
  for (let i = 0; i < b64.length; i += 72) lines.push(b64.slice(i, i + 72));
  return lines.join('\r\n');
}

class Writer {
  private readonly out: string[] = ['<?xml version="1.0"?>\n'];
  private depth = 0;

  private indent(): string {
    return '  '.repeat(this.depth);
  }

  /** An element holding only text (single_element). */
  leaf(name: string, text: string, attrs: Record<string, string> = {}): void {
    this.out.push(`${this.indent()}<${name}${attrText(attrs)}>${escapeText(text)}</${name}>\n`);
  }

  raw(name: string, body: string): void {
    this.out.push(`${this.indent()}<${name}>${body}</${name}>\n`);
  }

  /** An element with child elements; none at all gives "<name/>". */
  parent(name: string, children: () => void, attrs: Record<string, string> = {}): void {
    const start = this.out.length;
    this.out.push(`${this.indent()}<${name}${attrText(attrs)}>\n`);
    this.depth++;
    children();
    this.depth--;
    if (this.out.length === start + 1)
      this.out[start] = `${this.indent()}<${name}${attrText(attrs)}/>\n`;
    else this.out.push(`${this.indent()}</${name}>\n`);
  }

  toString(): string {
    return this.out.join('');
  }
}

function attrText(attrs: Record<string, string>): string {
  return Object.entries(attrs)
    .map(([k, v]) => ` ${k}="${escapeAttr(v)}"`)
    .join('');
}

const APP_FIELDS = [
  'display_name',
  'epoch',
  'version',
  'release',
  'arch',
  'install_path',
  'publisher',
  'url',
  'source_package',
  'summary',
  'description',
] as const satisfies readonly (keyof ReportApplication)[];

function writeApplication(w: Writer, a: ReportApplication): void {
  w.parent('application', () => {
    w.leaf('name', a.name);
    for (const k of APP_FIELDS) {
      const v = a[k];
      if (v !== undefined) w.leaf(k, String(v));
    }
  });
}

const HEAD = [
  'name',
  'arch',
  'distro',
  'product_name',
  'product_variant',
  'major_version',
  'minor_version',
  'package_format',
  'package_management',
  'windows_systemroot',
  'windows_current_control_set',
  'hostname',
  'osinfo',
] as const satisfies readonly (keyof ReportOs)[];

function writeOs(w: Writer, os: ReportOs): void {
  w.parent('operatingsystem', () => {
    w.leaf('root', os.root);
    for (const k of HEAD) {
      const v = os[k];
      if (v !== undefined) w.leaf(k, String(v));
    }
    w.parent('mountpoints', () => {
      for (const m of os.mountpoints) w.leaf('mountpoint', m.mountpoint, { dev: m.dev });
    });
    w.parent('filesystems', () => {
      for (const f of os.filesystems) {
        w.parent(
          'filesystem',
          () => {
            if (f.type !== undefined) w.leaf('type', f.type);
            if (f.label !== undefined) w.leaf('label', f.label);
            if (f.uuid !== undefined) w.leaf('uuid', f.uuid);
          },
          { dev: f.dev },
        );
      }
    });
    if (os.drive_mappings?.length) {
      w.parent('drive_mappings', () => {
        for (const d of os.drive_mappings!) w.leaf('drive_mapping', d.dev, { name: d.name });
      });
    }
    if (os.applications) {
      const apps = os.applications;
      w.parent('applications', () => apps.forEach((a) => writeApplication(w, a)));
    }
    if (os.icon && os.icon.length > 0) w.raw('icon', base64Lines(os.icon));
  });
}

export function virtInspectorXml(report: InspectorReport): string {
  const w = new Writer();
  w.parent('operatingsystems', () => report.operatingsystems.forEach((os) => writeOs(w, os)));
  return w.toString();
}
