import type { LayerContents, LayerEntry } from '../image/read-layer.ts';
import type { EntryType } from '../tar/tar-parser.ts';

export interface FsNode {
  type: EntryType;
  /** Index of the layer that last wrote this path. */
  layer: number;
  size: number;
  mode: number;
  linkname?: string;
  content?: Buffer;
  children?: Map<string, FsNode>;
}

export interface RemovedFile {
  path: string;
  type: EntryType;
  /** Layer that wrote the removed version. */
  addedInLayer: number;
  removedInLayer: number;
  /** Overwritten by a newer version of the same path, rather than deleted. */
  replaced: boolean;
}

export class SymlinkLoopError extends Error {
  constructor(public readonly path: string) {
    super(`too many levels of symbolic links resolving '${path}' (symlink loop)`);
    this.name = 'SymlinkLoopError';
  }
}

const MAX_HOPS = 40;

const dir = (layer: number): FsNode => ({
  type: 'directory',
  layer,
  size: 0,
  mode: 0o755,
  children: new Map(),
});

/**
 * The merged filesystem of an image, built layer by layer with OCI whiteout semantics. It keeps
 * for every path the layer that wrote it, and records what later layers deleted. Paths are
 * image-relative ("etc/os-release"); symlinks resolve inside the image root, never outside it.
 */
export class ImageFs {
  readonly root: FsNode = dir(0);
  readonly removed: RemovedFile[] = [];

  /** Applies one layer; returns the paths it wrote or deleted. */
  applyLayer(index: number, layer: LayerContents): Set<string> {
    const touched = new Set<string>();
    // Whiteouts and opaque markers hide lower layers only, so they go first.
    for (const path of layer.opaqueDirs) {
      const node = this.lookupLiteral(path);
      if (node?.children) {
        for (const [name, child] of node.children) {
          this.recordRemoval(path ? `${path}/${name}` : name, child, index, touched);
        }
        node.children.clear();
      }
    }
    for (const path of layer.whiteouts) {
      const parent = this.lookupLiteral(parentPath(path));
      const name = leaf(path);
      const node = parent?.children?.get(name);
      if (node && parent?.children) {
        this.recordRemoval(path, node, index, touched);
        parent.children.delete(name);
      }
    }
    for (const entry of layer.entries.values()) {
      this.addEntry(index, entry, touched);
    }
    return touched;
  }

  private recordRemoval(path: string, node: FsNode, layer: number, touched: Set<string>): void {
    touched.add(path);
    if (node.type !== 'directory') {
      this.removed.push({
        path,
        type: node.type,
        addedInLayer: node.layer,
        removedInLayer: layer,
        replaced: false,
      });
    }
    if (node.children) {
      for (const [name, child] of node.children) {
        this.recordRemoval(`${path}/${name}`, child, layer, touched);
      }
    }
  }

  private addEntry(index: number, entry: LayerEntry, touched: Set<string>): void {
    const parts = entry.path.split('/');
    let current = this.root;
    for (let i = 0; i < parts.length - 1; i++) {
      const name = parts[i] as string;
      let next = current.children?.get(name);
      if (next?.type !== 'directory') {
        // A layer writing below a path that was a file or symlink replaces it with a directory.
        if (next) this.recordRemoval(parts.slice(0, i + 1).join('/'), next, index, touched);
        next = dir(index);
        current.children?.set(name, next);
      }
      current = next;
    }
    const name = parts.at(-1) as string;
    const existing = current.children?.get(name);
    touched.add(entry.path);
    if (entry.type === 'directory') {
      if (existing?.type === 'directory') {
        existing.mode = entry.mode;
        return;
      }
      if (existing) this.recordRemoval(entry.path, existing, index, touched);
      current.children?.set(name, { ...dir(index), mode: entry.mode });
      return;
    }
    if (existing) {
      if (existing.type !== 'directory' && existing.layer !== index) {
        this.removed.push({
          path: entry.path,
          type: existing.type,
          addedInLayer: existing.layer,
          removedInLayer: index,
          replaced: true,
        });
      } else if (existing.children) {
        this.recordRemoval(entry.path, existing, index, touched);
      }
    }
    let node: FsNode = { type: entry.type, layer: index, size: entry.size, mode: entry.mode };
    if (entry.type === 'symlink' && entry.linkname !== undefined) node.linkname = entry.linkname;
    if (entry.type === 'hardlink' && entry.linkname !== undefined) {
      // A hardlink is the same file under another name: take the target's data.
      const target = this.lookup(entry.linkname, false);
      if (target && target.type === 'file') {
        node = { ...target, layer: index, children: undefined };
        if (entry.content) node.content = entry.content;
      } else if (entry.content) {
        node = {
          type: 'file',
          layer: index,
          size: entry.content.length,
          mode: entry.mode,
          content: entry.content,
        };
      }
    }
    if (entry.content && node.type === 'file') node.content = entry.content;
    current.children?.set(name, node);
  }

  /** Finds a path without following any symlink (the literal tree). */
  lookupLiteral(path: string): FsNode | undefined {
    if (path === '') return this.root;
    let current: FsNode | undefined = this.root;
    for (const part of path.split('/')) {
      current = current?.children?.get(part);
      if (!current) return undefined;
    }
    return current;
  }

  /**
   * Resolves a path as the image's own processes would see it: symlinks in the middle are always
   * followed, the last one only when `followLast`. Absolute targets start at the image root and
   * ".." stops at the root, so resolution never leaves the image.
   */
  resolve(path: string, followLast = true): { path: string; node: FsNode } | undefined {
    const stack: string[] = [];
    const pending = path.split('/').filter((p) => p !== '' && p !== '.');
    pending.reverse();
    let hops = 0;
    let current: FsNode = this.root;
    const nodes: FsNode[] = [this.root];
    while (pending.length > 0) {
      const part = pending.pop() as string;
      if (part === '..') {
        if (stack.length > 0) {
          stack.pop();
          nodes.pop();
          current = nodes.at(-1) as FsNode;
        }
        continue;
      }
      const next = current.children?.get(part);
      if (!next) return undefined;
      const isLast = pending.length === 0;
      if (next.type === 'symlink' && (!isLast || followLast)) {
        if (++hops > MAX_HOPS) throw new SymlinkLoopError(path);
        const target = next.linkname ?? '';
        const targetParts = target.split('/').filter((p) => p !== '' && p !== '.');
        if (target.startsWith('/')) {
          stack.length = 0;
          nodes.length = 1;
          current = this.root;
        }
        for (let i = targetParts.length - 1; i >= 0; i--) pending.push(targetParts[i] as string);
        continue;
      }
      stack.push(part);
      nodes.push(next);
      current = next;
    }
    return { path: stack.join('/'), node: current };
  }

  lookup(path: string, followLast = true): FsNode | undefined {
    return this.resolve(path, followLast)?.node;
  }

  /** The bytes of a captured regular file, following symlinks; undefined when absent. */
  readFile(path: string): Buffer | undefined {
    const node = this.lookup(path);
    return node?.type === 'file' ? node.content : undefined;
  }

  /** Lists the entries of a directory (following symlinks to it). */
  list(path: string): [string, FsNode][] {
    const node = this.lookup(path);
    return node?.children ? [...node.children.entries()] : [];
  }

  /** Visits every path below `prefix` (literal), depth first. */
  walk(visit: (path: string, node: FsNode) => void, prefix = ''): void {
    const start = this.lookupLiteral(prefix);
    if (!start) return;
    const go = (path: string, node: FsNode) => {
      visit(path, node);
      if (node.children) {
        for (const [name, child] of node.children) go(path ? `${path}/${name}` : name, child);
      }
    };
    go(prefix, start);
  }
}

function parentPath(path: string): string {
  const i = path.lastIndexOf('/');
  return i < 0 ? '' : path.slice(0, i);
}

function leaf(path: string): string {
  return path.slice(path.lastIndexOf('/') + 1);
}
