import { createBrowserRouter, Navigate } from 'react-router';
import { paths } from '../config/paths.ts';
import { ImageSecurityPage } from '../features/image-security/image-security-page.tsx';
import { ImagePage, ImagesPage } from '../features/images/images-page.tsx';
import { RegistriesPage } from '../features/registries/registries-page.tsx';
import { ScanPage, ScansPage } from '../features/scans/scans-page.tsx';
import { SettingsPage } from '../features/settings/settings-page.tsx';
import { Layout } from './layout.tsx';

export const routes = [
  {
    element: <Layout />,
    children: [
      { index: true, element: <Navigate to={paths.imageSecurity.getHref()} replace /> },
      { path: paths.imageSecurity.path, element: <ImageSecurityPage /> },
      { path: '/image-security', element: <Navigate to={paths.imageSecurity.getHref()} replace /> },
      { path: paths.images.path, element: <ImagesPage /> },
      { path: paths.image.path, element: <ImagePage /> },
      { path: paths.registries.path, element: <RegistriesPage /> },
      { path: paths.scans.path, element: <ScansPage /> },
      { path: paths.scan.path, element: <ScanPage /> },
      { path: paths.settings.path, element: <SettingsPage /> },
      { path: '*', element: <Navigate to={paths.imageSecurity.getHref()} replace /> },
    ],
  },
];

export const router = createBrowserRouter(routes);
