/**
 * Forward's EventTime: msgpack ext type 0 holding uint32 big-endian seconds then uint32 big-endian
 * nanoseconds (spec v1). Encoders send it as fixext8 (`d7 00`) or ext8 (`c7 08 00`); the decoder
 * sees the same 8 data bytes either way. Any other length is a malformed request.
 */
import { ExtensionCodec } from '@msgpack/msgpack';

export class EventTime {
  constructor(
    readonly seconds: number,
    readonly nanoseconds: number,
  ) {}
}

export const EVENT_TIME_TYPE = 0;

export function createForwardExtensionCodec(): ExtensionCodec {
  const codec = new ExtensionCodec();
  codec.register({
    type: EVENT_TIME_TYPE,
    encode: (value: unknown) => {
      if (!(value instanceof EventTime)) return null;
      const data = new Uint8Array(8);
      const view = new DataView(data.buffer);
      view.setUint32(0, value.seconds);
      view.setUint32(4, value.nanoseconds);
      return data;
    },
    decode: (data: Uint8Array) => {
      if (data.length !== 8) throw new Error(`EventTime must hold 8 bytes, got ${data.length}`);
      const view = new DataView(data.buffer, data.byteOffset, data.byteLength);
      return new EventTime(view.getUint32(0), view.getUint32(4));
    },
  });
  return codec;
}
