// The deadline of an intake in words: acute "binnen 24 uur (vóór …)", else the last day of the
// safety assessment.
import { t } from '../../lib/i18n/index.svelte';

export function deadlineText(r: { deadlines: { safetyMeeting?: string; assessment: string } }): string {
  if (r.deadlines.safetyMeeting) return t('intake.within24', { at: new Date(r.deadlines.safetyMeeting).toLocaleString() });
  const [y, m, d] = r.deadlines.assessment.split('-').map(Number);
  return t('intake.assessmentBy', { day: new Date(y, m - 1, d).toLocaleDateString(undefined, { weekday: 'long', day: 'numeric', month: 'long', year: 'numeric' }) });
}
