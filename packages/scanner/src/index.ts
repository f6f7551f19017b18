export {
  ANALYZERS,
  type AnalyzerVersion,
  APP_ANALYZERS,
  formatAnalyzerVersions,
  OS_ANALYZERS,
  OS_DETECTION,
  parseAnalyzerVersions,
  planReanalysis,
  type Reanalysis,
} from './analyzers/registry.ts';
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
export { type Compression, detectCompression, peek } from './io/decompress.ts';
export {
  comparePackages,
  type InventoryPackage,
  mergeReanalysis,
  reportTarget,
  type ScanOptions,
  type ScanProgress,
  type ScanResult,
  scanImage,
  scanOpenedImage,
} from './scan.ts';
