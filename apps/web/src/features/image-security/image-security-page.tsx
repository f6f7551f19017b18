import { IMAGE_SECURITY_TABS, ImageSecurityTabSchema } from '@drydock/contract';
import { Navigate, NavLink, useParams } from 'react-router';
import { paths } from '../../config/paths.ts';
import { EMPTY_STATES } from './empty-states.ts';

export function ImageSecurityPage() {
  const params = useParams();
  const tab = ImageSecurityTabSchema.safeParse(params.tab);
  if (!tab.success) return <Navigate to={paths.imageSecurity.getHref('system')} replace />;
  const empty = EMPTY_STATES[tab.data];
  const active = IMAGE_SECURITY_TABS.find((t) => t.id === tab.data);

  return (
    <section className="page">
      <h1>Image Security</h1>
      <div role="tablist" aria-label="Image security findings" className="tabs">
        {IMAGE_SECURITY_TABS.map((t) => (
          <NavLink
            key={t.id}
            to={paths.imageSecurity.getHref(t.id)}
            role="tab"
            id={`tab-${t.id}`}
            aria-selected={t.id === tab.data}
            aria-controls={`panel-${t.id}`}
            className={({ isActive }) => (isActive ? 'tab tab-active' : 'tab')}
          >
            {t.label}
          </NavLink>
        ))}
      </div>
      <div
        role="tabpanel"
        id={`panel-${tab.data}`}
        aria-labelledby={`tab-${tab.data}`}
        className="panel"
      >
        <div className="empty-state">
          <h2>{empty.title}</h2>
          <p>{empty.body}</p>
          <pre className="hint">
            <code>pnpm --silent drydock scan ./image.tar</code>
          </pre>
          <p className="muted">{active?.label}</p>
        </div>
      </div>
    </section>
  );
}
