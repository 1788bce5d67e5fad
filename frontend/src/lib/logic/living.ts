// The living safety plan in the views (issue 15): the case director, what is due, the plan's
// version against a family member's confirmation, and how an entry changed (bijstellen).
// Pure helpers over the view; words in the current language.

import type { CaseView, Changes, DirectorTerm, DueItem, MeetingSummary, Schedule } from '../protocol';
import { t } from '../i18n/index.svelte';

/** "Naam, organisatie, tel. 06-…" for the case director (empty parts left out). */
export function directorLine(d: DirectorTerm | undefined): string {
  if (!d) return '';
  return [d.name, d.organisation ?? '', d.phone ? `${t('director.tel')} ${d.phone}` : ''].filter((x) => x.trim() !== '').join(', ');
}

/** The case director now: the view's, else the last of the list. */
export function directorOf(v: CaseView): DirectorTerm | undefined {
  return v.case.director ?? v.case.directors?.at(-1);
}

/** Whether the person with id directs the case now. */
export function isDirector(v: CaseView, id: string | undefined): boolean {
  return !!id && directorOf(v)?.id === id;
}

/**
 * Where a family member stands with the plan: the version they last confirmed (in any meeting
 * they see), and whether the plan they see changed since.
 */
export function confirmation(v: CaseView, you: string | undefined): { confirmed: boolean; version: number; changed: boolean } {
  const mine = (v.plans.confirmations ?? []).filter((c) => c.participant === you);
  if (!you || mine.length === 0) return { confirmed: false, version: 0, changed: false };
  const version = Math.max(...mine.map((c) => c.version ?? 0));
  return { confirmed: true, version, changed: (v.plans.version ?? 0) > version };
}

/** The day a meeting was held, else when it is planned, and which of the two it is. */
export function heldOrPlanned(m: Pick<MeetingSummary, 'at' | 'heldAt'>): { at: string; held: boolean } {
  return m.heldAt ? { at: m.heldAt, held: true } : { at: m.at, held: false };
}

/** A meeting's title by id (the id itself when unknown). */
export function meetingTitle(v: CaseView, id: string | undefined): string {
  if (!id) return '';
  return v.meetings.find((m) => m.id === id)?.title ?? id;
}

/** The latest revision of an entry, if any. */
export function lastRevision(c: Changes): NonNullable<Changes['revisions']>[number] | undefined {
  return c.revisions?.at(-1);
}

/** Today as yyyy-mm-dd in local time (the default date of a check-in). */
export function today(now: Date = new Date()): string {
  const p = (n: number) => String(n).padStart(2, '0');
  return `${now.getFullYear()}-${p(now.getMonth() + 1)}-${p(now.getDate())}`;
}

/** A yyyy-mm-dd date as people read it (d-m-yyyy), or the text itself. */
export function dayText(d: string | undefined): string {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(d ?? '');
  return m ? `${Number(m[3])}-${Number(m[2])}-${m[1]}` : (d ?? '');
}

/** "elke 7 dagen vanaf 1-12-2026 (tot …)". */
export function scheduleText(sc: Schedule | undefined): string {
  if (!sc) return '';
  return sc.until
    ? t('plan.scheduleUntil', { n: sc.every, start: dayText(sc.start), until: dayText(sc.until) })
    : t('plan.schedule', { n: sc.every, start: dayText(sc.start) });
}

/** "Contact met moeder: 3 dagen te laat" / "vandaag" / "over 2 dagen". */
export function dueText(it: DueItem): string {
  let when: string;
  if (it.days > 0) when = t(it.days === 1 ? 'due.late.one' : 'due.late.other', { n: it.days });
  else if (it.days === 0) when = t('due.today');
  else when = t(it.days === -1 ? 'due.in.one' : 'due.in.other', { n: -it.days });
  return `${it.what}: ${when}`;
}

/** Overdue first (most days late), then the soonest. */
export function sortDue(items: readonly DueItem[]): DueItem[] {
  return [...items].sort((a, b) => b.days - a.days);
}
