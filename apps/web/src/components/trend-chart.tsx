import type { Trend } from '@drydock/contract';

const SERIES = [
  { key: 'high', label: 'High', color: 'var(--high)' },
  { key: 'medium', label: 'Medium', color: 'var(--medium)' },
  { key: 'low', label: 'Low', color: 'var(--low)' },
] as const;

/** A small line chart of findings present per day, one line per priority, with a text legend. */
export function TrendChart({
  days,
  width = 260,
  height = 64,
}: {
  days: Trend['days'];
  width?: number;
  height?: number;
}) {
  const max = Math.max(1, ...days.flatMap((d) => [d.high, d.medium, d.low]));
  const x = (i: number) => (days.length <= 1 ? 0 : (i / (days.length - 1)) * (width - 4) + 2);
  const y = (v: number) => height - 2 - (v / max) * (height - 4);
  const last = days[days.length - 1];
  const first = days[0];
  return (
    <figure className="trend">
      <svg
        viewBox={`0 0 ${width} ${height}`}
        preserveAspectRatio="none"
        role="img"
        aria-label={`Open findings over ${days.length} days${last ? `: now ${last.high} high, ${last.medium} medium, ${last.low} low` : ''}`}
      >
        {SERIES.map((s) => (
          <polyline
            key={s.key}
            data-series={s.key}
            fill="none"
            stroke={s.color}
            strokeWidth={2}
            points={days.map((d, i) => `${x(i).toFixed(1)},${y(d[s.key]).toFixed(1)}`).join(' ')}
          />
        ))}
      </svg>
      <figcaption>
        {SERIES.map((s) => (
          <span key={s.key} className={`legend legend-${s.key}`}>
            {s.label} {last ? last[s.key] : 0}
          </span>
        ))}
        <span className="muted">
          {' '}
          {first?.day} → {last?.day}
        </span>
      </figcaption>
    </figure>
  );
}
