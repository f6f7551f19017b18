export { ZipArchive, type ZipEntry, ZipError } from './zip.ts';
