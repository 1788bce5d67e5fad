// Makes a CaseView from the wire safe to render where the server does not guarantee its shape.
//
// The Go views (hub/meeting/view.go; LobbyView in viewer.go) already send every array of the
// view itself non-null:
// case.subjects and family, safety.lowest, meetings, the current meeting's participants, agenda,
// rounds and each round's submitted and pending, a lock's subjects, and every plan list. The
// fields it may omit (current, safety.reason, a meeting's final, a round's missing, scores and
// results, an item's lock, nextAt) are optional in protocol.ts, and the views check them. What is
// left are the arrays inside plan entries, which the view passes on as the domain holds them:
// a bottom line's subjects and a goal's risk factors. Only those are fixed here, and only when
// they are not arrays; everything else is returned as it came, so that the parts a patch did
// not touch keep their identity (ws/patch.ts shares them) and the UI does not redo them.

import type { BottomLine, CaseView, Goal } from '../protocol';

/** xs with f applied to each element; xs itself when f changed none. */
function mapShared<T>(xs: T[], f: (x: T) => T): T[] {
  let out: T[] | undefined;
  for (let i = 0; i < xs.length; i++) {
    const y = f(xs[i]!);
    if (y !== xs[i]) (out ??= xs.slice())[i] = y;
  }
  return out ?? xs;
}

const bottomLine = (b: BottomLine): BottomLine => (Array.isArray(b.subjects) ? b : { ...b, subjects: [] });
const goal = (g: Goal): Goal => (Array.isArray(g.riskFactors) ? g : { ...g, riskFactors: [] });

/** v with the arrays the server does not guarantee present; v itself when nothing was missing. */
export function normalizeView(v: CaseView): CaseView {
  const p = v.plans;
  const bottomLines = mapShared(p.bottomLines, bottomLine);
  const goals = mapShared(p.goals, goal);
  if (bottomLines === p.bottomLines && goals === p.goals) return v;
  return { ...v, plans: { ...p, bottomLines, goals } };
}
