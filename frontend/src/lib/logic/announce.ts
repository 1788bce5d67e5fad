// What a screen reader hears when something happens at the table: the events of an `events`
// frame, turned into short texts for the aria-live region of the meeting views. The view stays
// the state; events only say what just happened. What this browser's user did themselves is not
// announced (they already see it), nor is any event type this list does not know.

import type { Key } from '../i18n/nl';
import type { CaseView, LogEvent, You } from '../protocol';
import { nameOf } from './meeting';

/** One text to announce: a translation key and its placeholders. */
export interface Announcement {
  key: Key;
  vars?: Record<string, string | number>;
}

/** Who hears the announcements, and the view held when the events arrived. */
export interface AnnounceContext {
  you?: You;
  /** This browser's user chairs the current meeting (only the chair hears who waits in the lobby). */
  isChair?: boolean;
  /** The view held before the one the events lead to: for participants' names. */
  view?: CaseView;
}

/** At most this many texts per frame: a screen reader should not read out a whole log. */
export const maxAnnouncements = 3;

/** Plan events: each is announced as "the plan has been updated". */
const planEvents = new Set([
  'bottomline.added',
  'bottomline.status_set',
  'agreement.added',
  'agreement.status_set',
  'agreement.taken_on',
  'monitoring.added',
  'escalation.added',
  'research.added',
  'risk.added',
  'goal.added',
  'goal.evaluated',
  'future.added',
  'fact.added',
  'decision.recorded',
  'safetyplan.retired',
  'safetyplan.reinstated',
  'bottomline.revised',
  'agreement.revised',
  'goal.revised',
  'risk.revised',
  'future.revised',
  'plan.withdrawn',
  'monitoring.planned',
  'gate.reason_recorded',
  'direction.transferred',
  'director.contact_set',
]);

function field(e: LogEvent, name: string): unknown {
  return typeof e.data === 'object' && e.data !== null ? (e.data as Record<string, unknown>)[name] : undefined;
}

function text(e: LogEvent, name: string): string {
  const v = field(e, name);
  return typeof v === 'string' ? v : '';
}

function numbered(e: LogEvent, key: Key, plain: Key): Announcement {
  const n = field(e, 'number');
  return typeof n === 'number' && n > 0 ? { key, vars: { n } } : { key: plain };
}

/** The name of a participant of the current meeting, or '' when the view does not know them. */
function participantName(ctx: AnnounceContext, id: string): string {
  const participants = ctx.view?.current?.participants ?? [];
  const name = nameOf(participants, id);
  return name === id ? '' : name;
}

/** The announcement of one event for ctx, if it has one. */
export function announcement(e: LogEvent, ctx: AnnounceContext): Announcement | undefined {
  const me = ctx.you?.id;
  const own = !!me && e.actor === me;
  switch (e.type) {
    case 'meeting.started':
      return own ? undefined : { key: 'announce.meetingStarted' };
    case 'meeting.closed':
      return own ? undefined : { key: 'announce.meetingClosed' };
    case 'round.opened':
      return own ? undefined : numbered(e, 'announce.roundOpened', 'announce.roundOpenedPlain');
    case 'round.revealed':
      // A round one's own last score revealed (auto) is news to its author too.
      return own && field(e, 'auto') !== true ? undefined : numbered(e, 'announce.roundRevealed', 'announce.roundRevealedPlain');
    case 'score.submitted': {
      if (own) return undefined;
      const name = participantName(ctx, text(e, 'participant'));
      return name ? { key: 'announce.scoreFrom', vars: { name } } : { key: 'announce.score' };
    }
    case 'participant.joined': {
      const name = text(e, 'name');
      return ctx.isChair && !own && name ? { key: 'announce.joined', vars: { name } } : undefined;
    }
    case 'participant.admitted': {
      const who = text(e, 'participant');
      if (who === me) return { key: 'announce.youAdmitted' };
      const name = participantName(ctx, who);
      return own || !name ? undefined : { key: 'announce.admitted', vars: { name } };
    }
    case 'chair.handed_over': {
      const who = text(e, 'participant');
      if (who === me) return { key: 'announce.youChair' };
      const name = participantName(ctx, who);
      return own || !name ? undefined : { key: 'announce.chairTo', vars: { name } };
    }
    case 'agenda.item_opened':
      return own ? undefined : { key: 'announce.itemOpened' };
    default:
      return !own && planEvents.has(e.type) ? { key: 'announce.planUpdated' } : undefined;
  }
}

/**
 * The announcements of one `events` frame for ctx: each text once, in the order of the events,
 * at most maxAnnouncements (the latest).
 */
export function announcements(events: readonly LogEvent[], ctx: AnnounceContext): Announcement[] {
  const seen = new Set<string>();
  const out: Announcement[] = [];
  for (const e of events) {
    const a = announcement(e, ctx);
    if (!a) continue;
    const id = a.key + JSON.stringify(a.vars ?? {});
    if (seen.has(id)) continue;
    seen.add(id);
    out.push(a);
  }
  return out.slice(-maxAnnouncements);
}
