import { useState } from 'react';

/** "Export": a download of the whole current filter (all pages), as CSV or JSON. */
export function ExportMenu({ href }: { href: (format: 'csv' | 'json') => string }) {
  const [open, setOpen] = useState(false);
  return (
    <div className="export">
      <button
        type="button"
        aria-expanded={open}
        aria-haspopup="true"
        onClick={() => setOpen((v) => !v)}
      >
        Export
      </button>
      {open ? (
        <div className="export-menu">
          {(['csv', 'json'] as const).map((format) => (
            <a key={format} href={href(format)} download onClick={() => setOpen(false)}>
              {format.toUpperCase()}
            </a>
          ))}
        </div>
      ) : null}
    </div>
  );
}
