import { createBrowserRouter, Navigate } from 'react-router';
import { paths } from '../config/paths.ts';
import { ImageSecurityPage } from '../features/image-security/image-security-page.tsx';
import { Layout } from './layout.tsx';

// The Image Security page ships in the main bundle (the console opens on it); the other pages
// load on first visit.
export const routes = [
  {
    element: <Layout />,
    children: [
      { index: true, element: <Navigate to={paths.imageSecurity.getHref()} replace /> },
      { path: paths.imageSecurity.path, element: <ImageSecurityPage /> },
      {
        path: paths.imageSecurity.root,
        element: <Navigate to={paths.imageSecurity.getHref()} replace />,
      },
      {
        path: paths.fixPlan.path,
        lazy: async () => ({
          Component: (await import('../features/fix-plan/fix-plan-page.tsx')).FixPlanPage,
        }),
      },
      {
        path: paths.changes.path,
        lazy: async () => ({
          Component: (await import('../features/changes/changes-page.tsx')).ChangesPage,
        }),
      },
      {
        path: paths.images.path,
        lazy: async () => ({
          Component: (await import('../features/images/images-page.tsx')).ImagesPage,
        }),
      },
      {
        path: paths.image.path,
        lazy: async () => ({
          Component: (await import('../features/images/images-page.tsx')).ImagePage,
        }),
      },
      {
        path: paths.registries.path,
        lazy: async () => ({
          Component: (await import('../features/registries/registries-page.tsx')).RegistriesPage,
        }),
      },
      {
        path: paths.scans.path,
        lazy: async () => ({
          Component: (await import('../features/scans/scans-page.tsx')).ScansPage,
        }),
      },
      {
        path: paths.scan.path,
        lazy: async () => ({
          Component: (await import('../features/scans/scans-page.tsx')).ScanPage,
        }),
      },
      {
        path: paths.settings.path,
        lazy: async () => ({
          Component: (await import('../features/settings/settings-page.tsx')).SettingsPage,
        }),
      },
      { path: '*', element: <Navigate to={paths.imageSecurity.getHref()} replace /> },
    ],
  },
];

export const router = createBrowserRouter(routes);
