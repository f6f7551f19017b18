export { ScanError, type ScanErrorCode } from './errors.ts';
export { ImageFs, type RemovedFile } from './fs/image-fs.ts';
export type { BlobSource, BlobVisitor } from './image/blob-source.ts';
export {
  type ImageHandle,
  type ImageLayerRef,
  openImage,
  openImageFromSource,
} from './image/open-image.ts';
export type { FileVisitor } from './image/read-layer.ts';
export {
  type InventoryPackage,
  OS_ANALYZERS,
  reportTarget,
  type ScanOptions,
  type ScanProgress,
  type ScanResult,
  scanImage,
  scanOpenedImage,
} from './scan.ts';
/** Bumped whenever an analyzer's output for the same layers can change (invalidates caches). */
export const ANALYZER_VERSION = '1';
