/** A section of outbound reference links (opened in a new tab, no referrer). */
export function ExternalLinks({ urls, max = 20 }: { urls: string[]; max?: number }) {
  if (urls.length === 0) return null;
  return (
    <section aria-label="References">
      <h3>References</h3>
      <ul className="refs">
        {urls.slice(0, max).map((r) => (
          <li key={r}>
            <a href={r} target="_blank" rel="noreferrer noopener">
              {r}
            </a>
          </li>
        ))}
      </ul>
    </section>
  );
}
