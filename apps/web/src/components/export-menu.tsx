import { useState } from 'react';

/**
 * A download menu: "Export" (the whole current filter, all pages, as CSV or JSON) by default, or
 * any other set of formats (an image's SBOM as CycloneDX or SPDX).
 */
export function ExportMenu<F extends string = 'csv' | 'json'>({
  href,
  label = 'Export',
  title,
  formats = [
    { value: 'csv', label: 'CSV' },
    { value: 'json', label: 'JSON' },
  ] as { value: F; label: string }[],
}: {
  href: (format: F) => string;
  label?: string;
  /** The accessible name when the label alone is ambiguous (one menu per row). */
  title?: string;
  formats?: { value: F; label: string }[];
}) {
  const [open, setOpen] = useState(false);
  return (
    <div className="export">
      <button
        type="button"
        aria-expanded={open}
        aria-haspopup="true"
        {...(title ? { 'aria-label': title, title } : {})}
        onClick={() => setOpen((v) => !v)}
      >
        {label}
      </button>
      {open ? (
        <div className="export-menu">
          {formats.map((f) => (
            <a key={f.value} href={href(f.value)} download onClick={() => setOpen(false)}>
              {f.label}
            </a>
          ))}
        </div>
      ) : null}
    </div>
  );
}
