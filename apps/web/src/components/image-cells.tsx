import type { ReactNode } from 'react';
import { Link } from 'react-router';
import { paths } from '../config/paths.ts';
import { shortDigest } from '../lib/format.ts';

/** An image by name (or short digest when it has none), linking to its page. */
export function ImageLink({ image }: { image: { name: string; digest: string } }) {
  return (
    <Link to={paths.image.getHref(image.digest)}>{image.name || shortDigest(image.digest)}</Link>
  );
}

/** The layer that added something, with its Dockerfile step under it. */
export function LayerCell({
  index,
  createdBy,
  children,
}: {
  index: number;
  createdBy: string | null | undefined;
  children?: ReactNode;
}) {
  return (
    <>
      #{index}
      {children}
      {createdBy ? <div className="mono muted step">{createdBy}</div> : null}
    </>
  );
}
