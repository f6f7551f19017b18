import { createBrowserRouter, Navigate } from 'react-router';
import { paths } from '../config/paths.ts';
import { ImageSecurityPage } from '../features/image-security/image-security-page.tsx';
import { Layout } from './layout.tsx';

export const router = createBrowserRouter([
  {
    element: <Layout />,
    children: [
      { index: true, element: <Navigate to={paths.imageSecurity.getHref()} replace /> },
      { path: paths.imageSecurity.path, element: <ImageSecurityPage /> },
      { path: '/image-security', element: <Navigate to={paths.imageSecurity.getHref()} replace /> },
      { path: '*', element: <Navigate to={paths.imageSecurity.getHref()} replace /> },
    ],
  },
]);
