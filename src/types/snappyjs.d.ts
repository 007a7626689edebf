/**
 * snappyjs ships no types. Its index.js exports compress/uncompress over the snappy *block* format
 * (a varint of the uncompressed length, then the compressed stream), returning the same kind of
 * container it was given: Buffer in → Buffer out, Uint8Array → Uint8Array, ArrayBuffer → ArrayBuffer.
 * Both throw (TypeError for a wrong argument type, Error for a corrupt bitstream).
 */
declare module 'snappyjs' {
  export function compress(uncompressed: Buffer): Buffer;
  export function compress(uncompressed: Uint8Array): Uint8Array;
  export function compress(uncompressed: ArrayBuffer): ArrayBuffer;
  /** `maxLength` refuses (throws) when the header announces more bytes than that. */
  export function uncompress(compressed: Buffer, maxLength?: number): Buffer;
  export function uncompress(compressed: Uint8Array, maxLength?: number): Uint8Array;
  export function uncompress(compressed: ArrayBuffer, maxLength?: number): ArrayBuffer;
}
