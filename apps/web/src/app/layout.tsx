import { NavLink, Outlet } from 'react-router';
import { paths } from '../config/paths.ts';
import { HealthBadge } from '../features/health/health-badge.tsx';

export function Layout() {
  return (
    <div className="shell">
      <header className="topbar">
        <span className="brand">Drydock</span>
        <nav aria-label="Main">
          <NavLink to={paths.imageSecurity.getHref()}>Image Security</NavLink>
        </nav>
        <HealthBadge />
      </header>
      <main>
        <Outlet />
      </main>
    </div>
  );
}
