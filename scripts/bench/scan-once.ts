// One cold scan in a fresh process: prints wall time, peak RSS and layer bytes as JSON.
import { scanImage } from '@drydock/scanner';

const started = performance.now();
const { report } = await scanImage(process.argv[2] as string);
const wallMs = performance.now() - started;
console.log(
  JSON.stringify({
    wallMs,
    maxRssMb: process.resourceUsage().maxRSS / 1024,
    bytes: report.layers.reduce((sum, l) => sum + l.size, 0),
    packages: report.packages.length,
  }),
);
