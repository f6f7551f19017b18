import { NavLink, Outlet } from 'react-router';
import { ScanTrackerProvider } from '../components/scan-tracker.tsx';
import { paths } from '../config/paths.ts';
import { AuthGate, UserMenu } from '../features/auth/auth.tsx';
import { HealthBadge } from '../features/health/health-badge.tsx';
import { ServiceBanner } from '../features/health/service-banner.tsx';

const NAV = [
  { to: paths.imageSecurity.root, label: 'Image Security' },
  { to: paths.fixPlan.getHref(), label: 'Fix plan' },
  { to: paths.changes.getHref(), label: 'What changed' },
  { to: paths.images.getHref(), label: 'Images' },
  { to: paths.registries.getHref(), label: 'Registries' },
  { to: paths.scans.getHref(), label: 'Scans' },
  { to: paths.settings.getHref(), label: 'Settings' },
];

export function Layout() {
  return (
    <AuthGate>
      <Shell />
    </AuthGate>
  );
}

function Shell() {
  return (
    <ScanTrackerProvider>
      <div className="shell">
        <a className="skip-link" href="#main">
          Skip to content
        </a>
        <header className="topbar">
          <span className="brand">Drydock</span>
          <nav aria-label="Main">
            {NAV.map((n) => (
              <NavLink key={n.to} to={n.to}>
                {n.label}
              </NavLink>
            ))}
          </nav>
          <HealthBadge />
          <UserMenu />
        </header>
        <main id="main">
          <ServiceBanner />
          <Outlet />
        </main>
      </div>
    </ScanTrackerProvider>
  );
}
