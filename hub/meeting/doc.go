// Package meeting is Tafel's domain: the safety-first protocol of the vision paper
// "Eerst samenwerken voor veiligheid, dan samenwerken voor risicogestuurde zorg" made exact.
//
// It is event-sourced and pure: no I/O, no goroutines, no wall clock, no logging. Time, the
// acting person and the organisation's policy defaults come in through Context.
//
//   - Decide(state, command, context) checks a command against the rules and returns the
//     events it produces, or an *Error with a code and a Dutch and English message.
//   - Apply(state, event) folds one event into the state; replaying a case's events from an
//     empty state rebuilds it exactly.
//   - View(state, viewer) builds what one participant may see: never a score value before its
//     round is revealed (not for the chair either), never a professionals-only fact for family,
//     network or observers.
//
// One State is one case (casus): its subjects, family, policy, phase, meetings and plans.
package meeting
