import { afterEach, describe, expect, it } from 'vitest';
import { announcement, announcements, maxAnnouncements, type AnnounceContext } from './announce';
import { i18n, t } from '../i18n/index.svelte';
import { fixtureYou, jannaOpenRound } from '../../fixtures/janna';
import type { LogEvent } from '../protocol';

let seq = 100;
const ev = (type: string, actor: string, data: Record<string, unknown> = {}): LogEvent => ({
  seq: ++seq,
  id: `c${seq}:0`,
  type,
  time: '2026-03-02T10:00:00Z',
  actor,
  meeting: 'm1',
  visibility: 'all',
  data: { meeting: 'm1', ...data },
});

const me = fixtureYou.professional; // Petra Visser
const ctx: AnnounceContext = { you: me, view: jannaOpenRound };
const chairCtx: AnnounceContext = { you: fixtureYou.chair, isChair: true, view: jannaOpenRound };

/** The text of the announcements of events in one language. */
function said(lang: 'nl' | 'en', events: LogEvent[], c: AnnounceContext = ctx): string {
  i18n.lang = lang;
  return announcements(events, c)
    .map((a) => t(a.key, a.vars))
    .join(' ');
}

afterEach(() => {
  i18n.lang = 'nl';
});

describe('announcements of events', () => {
  it('says what happened at the table, in Dutch and in English', () => {
    const cases: [LogEvent, string, string][] = [
      [ev('round.revealed', 'p-eva', { round: 'm1-r2', number: 2 }), 'De cijfers van ronde 2 zijn nu te zien.', 'The scores of round 2 can be seen now.'],
      [ev('round.revealed', 'p-eva', { round: 'm1-r2' }), 'De cijfers zijn nu te zien.', 'The scores can be seen now.'],
      [ev('score.submitted', 'p-eva', { round: 'm1-r2', participant: 'p-eva', subject: 'janna' }), 'Nieuwe score ontvangen van Eva Jansen.', 'New score received from Eva Jansen.'],
      [ev('score.submitted', 'x', { round: 'm1-r2', participant: 'x', subject: 'janna' }), 'Nieuwe score ontvangen.', 'New score received.'],
      [ev('round.opened', 'p-eva', { round: 'm1-r3', number: 3 }), 'Ronde 3 is geopend.', 'Round 3 has opened.'],
      [ev('meeting.started', 'p-eva'), 'Het overleg is begonnen.', 'The meeting has started.'],
      [ev('meeting.closed', 'p-eva'), 'Het overleg is afgesloten.', 'The meeting has been closed.'],
      [ev('agenda.item_opened', 'p-eva', { item: 'm1-a5' }), 'Er is een ander agendapunt geopend.', 'Another agenda item has been opened.'],
      [ev('fact.added', 'p-eva', { id: 'f3', text: 'x' }), 'Het plan is bijgewerkt.', 'The plan has been updated.'],
      [ev('participant.admitted', 'p-eva', { participant: 'p-ahmed' }), 'Ahmed El Amrani doet mee aan het overleg.', 'Ahmed El Amrani has joined the meeting.'],
      [ev('participant.admitted', 'p-eva', { participant: me.id }), 'De voorzitter heeft je toegelaten.', 'The chair has let you in.'],
      [ev('chair.handed_over', 'p-eva', { participant: me.id, from: 'p-eva' }), 'Jij bent nu voorzitter.', 'You are now the chair.'],
    ];
    for (const [e, nl, en] of cases) {
      expect(said('nl', [e]), e.type).toBe(nl);
      expect(said('en', [e]), e.type).toBe(en);
    }
  });

  it('does not announce what this user did, except a reveal their own score caused', () => {
    expect(announcement(ev('score.submitted', me.id, { participant: me.id, subject: 'janna' }), ctx)).toBeUndefined();
    expect(announcement(ev('fact.added', me.id), ctx)).toBeUndefined();
    expect(announcement(ev('round.revealed', me.id, { number: 2 }), ctx)).toBeUndefined();
    expect(announcement(ev('round.revealed', me.id, { number: 2, auto: true }), ctx)?.key).toBe('announce.roundRevealed');
  });

  it('tells only the chair who waits in the lobby', () => {
    const joined = ev('participant.joined', 'i:oma', { participant: 'i:oma', name: 'Oma Riet', role: 'family' });
    expect(said('nl', [joined], chairCtx)).toBe('Oma Riet wacht in de wachtkamer.');
    expect(said('en', [joined], chairCtx)).toBe('Oma Riet is waiting in the lobby.');
    expect(announcement(joined, ctx)).toBeUndefined();
  });

  it('leaves out events it does not know', () => {
    expect(announcement(ev('something.new', 'p-eva'), ctx)).toBeUndefined();
    expect(announcement(ev('policy.set', 'p-eva'), ctx)).toBeUndefined();
  });

  it('says each text once per frame, at most a few, the latest', () => {
    // Eva scores both subjects in one command: one announcement.
    const both = ['janna', 'moeder'].map((s) => ev('score.submitted', 'p-eva', { participant: 'p-eva', subject: s }));
    expect(said('nl', both)).toBe('Nieuwe score ontvangen van Eva Jansen.');
    const many = [
      ev('meeting.started', 'p-eva'),
      ev('agenda.item_opened', 'p-eva'),
      ev('round.opened', 'p-eva', { number: 2 }),
      ...both,
      ev('round.revealed', 'p-eva', { number: 2 }),
    ];
    const out = announcements(many, ctx);
    expect(out).toHaveLength(maxAnnouncements);
    expect(out.map((a) => a.key)).toEqual(['announce.roundOpened', 'announce.scoreFrom', 'announce.roundRevealed']);
  });
});
