/**
 * The token's indexer-acknowledgement mode, found without sending an event, for a connectivity
 * check (`--check-config --online`): the same finding the delivery loop warns about at run time
 * (ack_off, ack_poll_refused) and counts in wirety_ship_sink_unconfirmed_total.
 *
 * The probe is one harmless poll on a fresh channel, `{"acks":[0]}`: HEC answers
 * `{"acks":{"0":false}}` when the token has ack on, 400 code 14 when it is off. Nothing is indexed.
 */
import type { Transport } from '../../contract/sink.js';
import { ackRequest, parseAckReply } from './ack-reply.js';
import { newChannelId } from './ack.js';

export type AckModeFinding =
  /** The token has indexer acknowledgement on: `ack.enabled` will confirm each batch. */
  | { readonly ack: 'on' }
  /** Code 14: the token has it off. With `ack.enabled`, batches count on HEC's 200 (or block). */
  | { readonly ack: 'off'; readonly reason: string }
  /** Code 10/11 or a proxy's 404/405: the ack endpoint cannot be reached as set up. */
  | { readonly ack: 'refused'; readonly reason: string }
  /** Credentials refused, network trouble, an unreadable reply: the mode is not known. */
  | { readonly ack: 'unknown'; readonly reason: string };

export async function probeAckMode(transport: Transport, signal: AbortSignal): Promise<AckModeFinding> {
  const result = parseAckReply(await transport.send(ackRequest(newChannelId(), [0]), signal));
  switch (result.kind) {
    case 'acks':
      return { ack: 'on' };
    case 'unsupported':
      return /^HEC code 14:/.test(result.reason)
        ? { ack: 'off', reason: result.reason }
        : { ack: 'refused', reason: result.reason };
    default:
      return { ack: 'unknown', reason: result.reason };
  }
}
