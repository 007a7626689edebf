/**
 * Snappy block compression of Loki push bodies: the native `snappy` package (napi-rs, a prebuilt
 * binary per platform from its optional dependencies) where it loads, else the pure-JS `snappyjs`.
 * Both write the same block format, which is all Loki reads; the native one is a few times faster
 * (docs/PERFORMANCE.md). A platform without a prebuilt binary, or an install that left optional
 * dependencies out (`npm ci --omit=optional`), gets snappyjs; the reason is logged once at debug.
 */
import { createRequire } from 'node:module';
import { compress as compressInJs } from 'snappyjs';
import type { Logger } from '../../observe/logger.js';

type Compress = (input: Uint8Array) => Uint8Array;

interface NativeSnappy {
  compressSync(input: Uint8Array): Buffer;
}
// CommonJS with a platform switch inside: it throws when no binary for this platform loads.
const loadNative = (): NativeSnappy => createRequire(import.meta.url)('snappy') as NativeSnappy;

/** The native compressor if `load` gives it, else snappyjs; `why` says which and why. */
export function chooseCompressor(load: () => NativeSnappy = loadNative): {
  readonly compress: Compress;
  readonly why: string;
} {
  try {
    const native = load();
    return { compress: (input) => native.compressSync(input), why: 'native snappy package' };
  } catch (error) {
    return {
      compress: compressInJs,
      why: `snappyjs (the native snappy package did not load: ${(error as Error).message.split('\n')[0]})`,
    };
  }
}

// Chosen on first use: --help and --check-config load this module but compress nothing.
let chosen: ReturnType<typeof chooseCompressor> | undefined;

/** Snappy block-compresses a Loki push body. */
export const compress: Compress = (input) => (chosen ??= chooseCompressor()).compress(input);

let reported = false;
/** Says once, at debug, which compressor Loki bodies use and why. */
export function reportSnappyChoice(logger: Logger): void {
  if (reported) return;
  reported = true;
  logger.debug(`loki: compressing push bodies with ${(chosen ??= chooseCompressor()).why}`);
}
