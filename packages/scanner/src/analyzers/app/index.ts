import { binaryAnalyzer } from './binary.ts';
import { cargoAnalyzer, composerAnalyzer, dotnetAnalyzer, rubyAnalyzer } from './ecosystems.ts';
import { javaAnalyzer } from './java.ts';
import { npmAnalyzer } from './npm.ts';
import { pythonAnalyzer } from './python.ts';
import type { AppAnalyzer } from './types.ts';

/** Order matters only for files several analyzers could claim: the first match reads it. */
export const APP_ANALYZERS: AppAnalyzer[] = [
  npmAnalyzer,
  pythonAnalyzer,
  javaAnalyzer,
  cargoAnalyzer,
  rubyAnalyzer,
  composerAnalyzer,
  dotnetAnalyzer,
  binaryAnalyzer,
];
