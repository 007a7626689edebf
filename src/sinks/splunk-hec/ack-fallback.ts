/**
 * What a request HEC accepted becomes when indexer acknowledgement was asked for but cannot
 * confirm it: the token has ack off (a 200 without `ackId`), the ack endpoint refuses polls
 * (code 14, 10/11, a proxy's 404/405), or the 2xx is not a HEC reply at all. Pure.
 *
 * Invariant: data HEC accepted is never sent again because ack is unavailable (each copy would be
 * indexed). By default the request counts as delivered on HEC's 2xx, warned about once and counted
 * apart (wirety_ship_sink_unconfirmed_total); with `ack.required` the sink is blocked instead.
 */
import type { Outcome, UnconfirmedReason } from '../../contract/outcome.js';

/** `off`: no ack. `on`: ack, falling back to the 200 when it is unavailable. `required`: no fallback. */
export type HecAckMode = 'off' | 'on' | 'required';

/** Each cause is the Unconfirmed.code of its fallback, so the contract lists them (a metric label). */
export type AckUnavailableCause = UnconfirmedReason;

export type AckUnavailableOutcome = Extract<Outcome, { kind: 'delivered' | 'blocked' }>;

const WHY: Readonly<Record<AckUnavailableCause, string>> = {
  ack_off: 'the token has indexer acknowledgement off',
  ack_poll_refused: 'Splunk HEC refuses indexer acknowledgement polls',
  non_hec_reply: 'the 2xx reply is not from Splunk HEC (a proxy?)',
};

const FIX: Readonly<Record<AckUnavailableCause, string>> = {
  ack_off: 'enable useACK on the token',
  ack_poll_refused: 'enable useACK on the token and let POST /services/collector/ack through any proxy',
  non_hec_reply: 'check the sink url and any proxy in front of HEC',
};

/** `detail` describes the reply (HEC code and text, HTTP status), never a header or a token. */
export function ackUnavailable(
  cause: AckUnavailableCause,
  detail: string,
  mode: HecAckMode,
): AckUnavailableOutcome {
  if (mode === 'required') {
    return {
      kind: 'blocked',
      reason:
        `ack.required is set but ${WHY[cause]} (${detail}): ${FIX[cause]}, or unset ack.required. ` +
        'Events are kept and sent again at the maximum backoff; a copy HEC accepts meanwhile may be indexed twice',
    };
  }
  const ackCause = cause !== 'non_hec_reply';
  const counted = ackCause ? "on HEC's 200" : 'on the status alone';
  const purpose = ackCause ? ' for end-to-end confirmation' : '';
  return {
    kind: 'delivered',
    unconfirmed: {
      code: cause,
      message: `Splunk HEC: ${WHY[cause]}: events are counted ${counted}; ${FIX[cause]}${purpose}`,
      detail,
    },
  };
}
