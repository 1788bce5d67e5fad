// What a page says when the server ends the connection because this person may no longer see
// the case (close 4403: removed from the meeting, membership removed, an invitation's read time
// over; docs/protocol.md "Close codes"). The page then shows this instead of the case — not a
// loading indicator, not the view it held.

import type { You } from '../protocol';
import type { StopReason } from '../ws/codes';

/** The i18n key of the no-access message, or undefined when the stop is not about access. */
export function noAccessKey(reason: StopReason | undefined, you: You | undefined): 'conn.stop.meetingOver' | 'conn.stop.forbidden' | undefined {
  if (reason !== 'forbidden') return undefined;
  // A professional member lost the case; anyone else came in by a link to one meeting.
  return you?.professional ? 'conn.stop.forbidden' : 'conn.stop.meetingOver';
}
