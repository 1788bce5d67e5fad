package meeting

import (
	"bytes"
	"encoding/json"
	"io"
	"time"
)

// Command is a request to change a case. Each concrete command has a kind, e.g. "score.submit".
// Kind has a pointer receiver, so a command is always a pointer (&SubmitScore{…}): passing a
// command by value does not compile.
type Command interface {
	// Kind is the command's wire name.
	Kind() string
	// decide checks the command against the state held by d and emits its events.
	decide(d *decider) error
}

// Actor is who sends a command, as the server authenticated them.
type Actor struct {
	// ID is stable per person ("u:…" for account holders, "i:…" for invitees).
	ID   string
	Name string
	// Professional is true for account holders.
	Professional bool
	// InviteRole is the role an invitee was invited as; empty for account holders.
	InviteRole Role
	// Organisation is an account holder's organisation (shown with a case director).
	Organisation string
	// Discipline is what the person does, free text as their account (or, for a professional
	// invited by a link, the invitation) gives it: "huisarts", "politie", "leerkracht". It is
	// shown instead of the bare role "professional"; empty when unknown.
	Discipline string
}

// Context is everything Decide needs besides the state and the command.
type Context struct {
	Actor Actor
	// Now is the time of the command (the domain never reads a clock).
	Now time.Time
	// CommandID is the client-generated command id; event ids derive from it.
	CommandID string
	// Defaults is the organisation's policy, used when a case sets none.
	Defaults Policy
	// Retention is the organisation's retention rule per route (DefaultRetention when unset).
	Retention map[string]RetentionRule
}

// Case set-up.

// CreateCase creates the case (casus) with its subjects and family.
type CreateCase struct {
	ID    string `json:"id"`
	Title string `json:"title"`
	// Persons are entered once each, with their flags (issue 16); Subjects and Family, the
	// first version's fields, are still accepted and become persons.
	Persons  []Person       `json:"persons"`
	Subjects []Subject      `json:"subjects"`
	Family   []FamilyMember `json:"family"`
	Policy   Policy         `json:"policy"`
}

// AddSubject adds a person whose safety is scored.
type AddSubject struct {
	Subject
}

// AddFamilyMember adds a household member.
type AddFamilyMember struct {
	FamilyMember
}

// SetPolicy changes Q, K and D for this case.
type SetPolicy struct {
	Policy
}

// SetPhase moves the case to phase 1–5.
type SetPhase struct {
	Phase int `json:"phase"`
}

// Meetings.

// ScheduleMeeting plans a meeting; the scheduler chairs it. Agenda kinds default to the
// standard agenda; the safety assessment is always put first.
type ScheduleMeeting struct {
	ID     string     `json:"id"`
	Title  string     `json:"title"`
	At     time.Time  `json:"at"`
	Agenda []ItemKind `json:"agenda"`
}

// StartMeeting starts a scheduled meeting.
type StartMeeting struct {
	Meeting string `json:"meeting"`
}

// CloseMeeting closes the meeting in progress.
type CloseMeeting struct {
	Meeting string `json:"meeting"`
}

// SetFamilyAdvisory sets whether family and network scores are advisory in a meeting. Making
// them advisory needs a reason, which everyone at the table reads; a person at risk's score
// about themselves is never advisory.
type SetFamilyAdvisory struct {
	Meeting  string `json:"meeting"`
	Advisory bool   `json:"advisory"`
	Reason   string `json:"reason,omitempty"`
}

// SetAutoReveal sets whether a round of the meeting reveals itself the moment every present
// scorer has scored every subject. Off by default: the chair reveals.
type SetAutoReveal struct {
	Meeting    string `json:"meeting"`
	AutoReveal bool   `json:"autoReveal"`
}

// SetDisplayLanguage sets the language of the meeting's shared screen: "nl" or "en", or ""
// for each screen's own choice. The chair switches it from the console and the screen, on
// another computer in the room, follows at once.
type SetDisplayLanguage struct {
	Meeting  string `json:"meeting"`
	Language string `json:"language"`
}

// Join puts the actor in the meeting's lobby (the chair is admitted at once).
type Join struct {
	Meeting string `json:"meeting"`
}

// Admit lets a participant in from the lobby.
type Admit struct {
	Meeting     string `json:"meeting"`
	Participant string `json:"participant"`
	// Person optionally links the participant to a person of the case (a subject or a family
	// member), so that entries withheld from that person are withheld from them.
	Person string `json:"person,omitempty"`
	// Role optionally sets the participant's meeting role at admission: whoever came in by
	// the shared screen's code waits as network until the chair says who they are (a parent
	// is admitted as family). Not chair; professional only for a professional.
	Role Role `json:"role,omitempty"`
}

// Remove sends a participant away from the meeting.
type Remove struct {
	Meeting     string `json:"meeting"`
	Participant string `json:"participant"`
}

// Leave is the actor leaving the meeting.
type Leave struct {
	Meeting string `json:"meeting"`
}

// SetRole changes a participant's role (not to or from chair: use HandOver).
type SetRole struct {
	Meeting     string `json:"meeting"`
	Participant string `json:"participant"`
	Role        Role   `json:"role"`
}

// HandOver hands the chair to another admitted professional.
type HandOver struct {
	Meeting     string `json:"meeting"`
	Participant string `json:"participant"`
}

// Agenda.

// AddItem adds an agenda item at the end (never before the safety assessment).
type AddItem struct {
	Meeting string `json:"meeting"`
	ID      string `json:"id"`
	Title   string `json:"title"`
	// ItemKind is what the item is about; it fixes the section.
	ItemKind ItemKind `json:"kind"`
}

// MoveItem moves an item to a position (≥ 1: the safety assessment stays first).
type MoveItem struct {
	Meeting  string `json:"meeting"`
	Item     string `json:"item"`
	Position int    `json:"position"`
}

// OpenItem opens an agenda item; the item that was open goes back to pending.
type OpenItem struct {
	Meeting string `json:"meeting"`
	Item    string `json:"item"`
}

// CloseItem closes an agenda item.
type CloseItem struct {
	Meeting string `json:"meeting"`
	Item    string `json:"item"`
}

// SuspendItem suspends an open agenda item.
type SuspendItem struct {
	Meeting string `json:"meeting"`
	Item    string `json:"item"`
}

// Scoring.

// OpenRound opens a scoring round for every subject (also "new round after discussion").
type OpenRound struct {
	Meeting string `json:"meeting"`
}

// SubmitScore gives or changes a score for one subject until the round is revealed.
type SubmitScore struct {
	Round     string `json:"round"`
	Subject   string `json:"subject"`
	Value     *int   `json:"value"`
	Abstain   bool   `json:"abstain"`
	Meaning   string `json:"meaning"`
	NotHigher string `json:"notHigher"`
	// ProfessionalsOnly keeps the explanation (meaning, not higher) for professionals: the
	// value counts and is shown to all.
	ProfessionalsOnly bool `json:"professionalsOnly,omitempty"`
}

// RevealRound reveals a round before everyone has submitted (the missing are recorded).
type RevealRound struct {
	Round string `json:"round"`
}

// Plans.

// AddBottomLine adds a bodemeis.
type AddBottomLine struct {
	ID       string   `json:"id"`
	Subjects []string `json:"subjects"`
	Text     string   `json:"text"`
	// Withholding marks the new entry "niet zichtbaar voor" named persons.
	Withholding
}

// SetBottomLineStatus sets a bottom line's status for the meeting in progress.
type SetBottomLineStatus struct {
	ID     string `json:"id"`
	Status string `json:"status"`
}

// AddAgreement adds an agreement to the safety, care or recovery plan.
type AddAgreement struct {
	ID         string `json:"id"`
	Plan       string `json:"plan"`
	Action     string `json:"action"`
	Owner      Owner  `json:"owner"`
	When       string `json:"when"`
	BottomLine string `json:"bottomLine"`
	Goal       string `json:"goal"`
	// Schedule makes the agreement a recurring check (start, every N days, until).
	Schedule *Schedule `json:"schedule,omitempty"`
	// Withholding marks the new entry "niet zichtbaar voor" named persons.
	Withholding
}

// SetAgreementStatus sets an agreement's status.
type SetAgreementStatus struct {
	ID     string `json:"id"`
	Status string `json:"status"`
}

// TakeOnAgreement makes the actor the owner of an agreement.
type TakeOnAgreement struct {
	ID string `json:"id"`
}

// AddCheckIn records a monitoring check-in (between meetings too): a real date, and the
// agreement, bottom line or monitoring task it checks.
type AddCheckIn struct {
	CheckIn
}

// AddEscalation records an escalation decision: the chair in a meeting, the case director
// between meetings.
type AddEscalation struct {
	Escalation
}

// AddResearchPart adds a part to the research plan.
type AddResearchPart struct {
	ResearchPart
}

// AddRiskFactor adds a risk factor.
type AddRiskFactor struct {
	RiskFactor
}

// AddGoal adds a care-plan or recovery-plan goal.
type AddGoal struct {
	ID          string   `json:"id"`
	Plan        string   `json:"plan"`
	Member      string   `json:"member"`
	Text        string   `json:"text"`
	Priority    int      `json:"priority"`
	RiskFactors []string `json:"riskFactors"`
	// Safety, Relationship, Check and Review: what the goal does for safety in which
	// relationship, how it will be checked, and when it is reviewed.
	Safety       string   `json:"safety"`
	Relationship []string `json:"relationship"`
	Check        string   `json:"check"`
	Review       string   `json:"review"`
	// Withholding marks the new entry "niet zichtbaar voor" named persons.
	Withholding
}

// EvaluateGoal marks a goal set in an earlier meeting (an evaluation per meeting).
type EvaluateGoal struct {
	ID      string `json:"id"`
	Outcome string `json:"outcome"`
}

// AddFutureEntry adds a line to the future plan.
type AddFutureEntry struct {
	FutureEntry
}

// RetireSafetyPlan removes the noodverband (needs stable safety).
type RetireSafetyPlan struct{}

// AddFact shares a fact with the table.
type AddFact struct {
	ID                string `json:"id"`
	Text              string `json:"text"`
	ProfessionalsOnly bool   `json:"professionalsOnly"`
	// Withholding marks the new entry "niet zichtbaar voor" named persons.
	Withholding
}

// RecordDecision records a decision of the meeting.
type RecordDecision struct {
	ID   string `json:"id"`
	Text string `json:"text"`
}

// ConfirmPlan is a family or network member confirming the agreed plan.
type ConfirmPlan struct {
	Meeting string `json:"meeting"`
}

// Kind implementations, on pointers only (see Command).
func (*CreateCase) Kind() string          { return "case.create" }
func (*AddSubject) Kind() string          { return "case.add_subject" }
func (*AddFamilyMember) Kind() string     { return "case.add_family_member" }
func (*SetPolicy) Kind() string           { return "case.set_policy" }
func (*SetPhase) Kind() string            { return "case.set_phase" }
func (*ScheduleMeeting) Kind() string     { return "meeting.schedule" }
func (*StartMeeting) Kind() string        { return "meeting.start" }
func (*CloseMeeting) Kind() string        { return "meeting.close" }
func (*SetFamilyAdvisory) Kind() string   { return "meeting.set_family_advisory" }
func (*SetAutoReveal) Kind() string       { return "meeting.set_auto_reveal" }
func (*SetDisplayLanguage) Kind() string  { return "meeting.set_display_language" }
func (*Join) Kind() string                { return "participant.join" }
func (*Admit) Kind() string               { return "participant.admit" }
func (*Remove) Kind() string              { return "participant.remove" }
func (*Leave) Kind() string               { return "participant.leave" }
func (*SetRole) Kind() string             { return "participant.set_role" }
func (*HandOver) Kind() string            { return "chair.hand_over" }
func (*AddItem) Kind() string             { return "agenda.add" }
func (*MoveItem) Kind() string            { return "agenda.move" }
func (*OpenItem) Kind() string            { return "agenda.open" }
func (*CloseItem) Kind() string           { return "agenda.close" }
func (*SuspendItem) Kind() string         { return "agenda.suspend" }
func (*OpenRound) Kind() string           { return "round.open" }
func (*SubmitScore) Kind() string         { return "score.submit" }
func (*RevealRound) Kind() string         { return "round.reveal" }
func (*AddBottomLine) Kind() string       { return "bottomline.add" }
func (*SetBottomLineStatus) Kind() string { return "bottomline.set_status" }
func (*AddAgreement) Kind() string        { return "agreement.add" }
func (*SetAgreementStatus) Kind() string  { return "agreement.set_status" }
func (*TakeOnAgreement) Kind() string     { return "agreement.take_on" }
func (*AddCheckIn) Kind() string          { return "monitoring.add" }
func (*AddEscalation) Kind() string       { return "escalation.add" }
func (*AddResearchPart) Kind() string     { return "research.add" }
func (*AddRiskFactor) Kind() string       { return "risk.add" }
func (*AddGoal) Kind() string             { return "goal.add" }
func (*EvaluateGoal) Kind() string        { return "goal.evaluate" }
func (*AddFutureEntry) Kind() string      { return "future.add" }
func (*RetireSafetyPlan) Kind() string    { return "safetyplan.retire" }
func (*AddFact) Kind() string             { return "fact.add" }
func (*RecordDecision) Kind() string      { return "decision.record" }
func (*ConfirmPlan) Kind() string         { return "plan.confirm" }
func (*TransferDirection) Kind() string   { return "case.transfer_direction" }
func (*SetDirectorContact) Kind() string  { return "case.set_director_contact" }
func (*PlanMonitoring) Kind() string      { return "monitoring.plan" }
func (*RecordGateReason) Kind() string    { return "gate.record_reason" }
func (*ReviseBottomLine) Kind() string    { return "bottomline.revise" }
func (*ReviseAgreement) Kind() string     { return "agreement.revise" }
func (*ReviseGoal) Kind() string          { return "goal.revise" }
func (*ReviseRiskFactor) Kind() string    { return "risk.revise" }
func (*ReviseFutureEntry) Kind() string   { return "future.revise" }
func (*WithdrawEntry) Kind() string       { return "plan.withdraw" }
func (*CloseCase) Kind() string           { return "case.close" }
func (*ReopenCase) Kind() string          { return "case.reopen" }
func (*SetLegalHold) Kind() string        { return "case.set_legal_hold" }
func (*ApproveDeletion) Kind() string     { return "case.approve_deletion" }
func (*CorrectEntry) Kind() string        { return "entry.correct" }
func (*AddStatement) Kind() string        { return "statement.add" }
func (*RequestDestruction) Kind() string  { return "destruction.request" }
func (*DecideDestruction) Kind() string   { return "destruction.decide" }

// commandTypes maps each wire kind to a constructor of its payload.
var commandTypes = map[string]func() Command{}

func init() {
	for _, f := range []func() Command{
		func() Command { return &CreateCase{} }, func() Command { return &AddSubject{} },
		func() Command { return &AddPerson{} }, func() Command { return &SetPerson{} },
		func() Command { return &StartFromIntake{} }, func() Command { return &SetRecoveryProfile{} },
		func() Command { return &ProposeRiskFactor{} }, func() Command { return &DecideRiskProposal{} },
		func() Command { return &AddFamilyMember{} }, func() Command { return &SetPolicy{} },
		func() Command { return &SetPhase{} }, func() Command { return &ScheduleMeeting{} },
		func() Command { return &StartMeeting{} }, func() Command { return &CloseMeeting{} },
		func() Command { return &SetFamilyAdvisory{} }, func() Command { return &SetAutoReveal{} },
		func() Command { return &SetDisplayLanguage{} },
		func() Command { return &Join{} },
		func() Command { return &Admit{} }, func() Command { return &Remove{} },
		func() Command { return &Leave{} }, func() Command { return &SetRole{} },
		func() Command { return &HandOver{} }, func() Command { return &AddItem{} },
		func() Command { return &MoveItem{} }, func() Command { return &OpenItem{} },
		func() Command { return &CloseItem{} }, func() Command { return &SuspendItem{} },
		func() Command { return &OpenRound{} }, func() Command { return &SubmitScore{} },
		func() Command { return &RevealRound{} }, func() Command { return &AddBottomLine{} },
		func() Command { return &SetBottomLineStatus{} }, func() Command { return &AddAgreement{} },
		func() Command { return &SetAgreementStatus{} }, func() Command { return &TakeOnAgreement{} },
		func() Command { return &AddCheckIn{} }, func() Command { return &AddEscalation{} },
		func() Command { return &AddResearchPart{} }, func() Command { return &AddRiskFactor{} },
		func() Command { return &AddGoal{} }, func() Command { return &EvaluateGoal{} },
		func() Command { return &AddFutureEntry{} }, func() Command { return &RetireSafetyPlan{} },
		func() Command { return &AddFact{} }, func() Command { return &RecordDecision{} },
		func() Command { return &ConfirmPlan{} }, func() Command { return &TransferDirection{} },
		func() Command { return &SetDirectorContact{} }, func() Command { return &PlanMonitoring{} },
		func() Command { return &RecordGateReason{} }, func() Command { return &ReviseBottomLine{} },
		func() Command { return &ReviseAgreement{} }, func() Command { return &ReviseGoal{} },
		func() Command { return &ReviseRiskFactor{} }, func() Command { return &ReviseFutureEntry{} },
		func() Command { return &WithdrawEntry{} }, func() Command { return &CloseCase{} },
		func() Command { return &ReopenCase{} }, func() Command { return &SetLegalHold{} },
		func() Command { return &ApproveDeletion{} }, func() Command { return &CorrectEntry{} },
		func() Command { return &AddStatement{} }, func() Command { return &RequestDestruction{} },
		func() Command { return &DecideDestruction{} },
	} {
		commandTypes[f().Kind()] = f
	}
}

// CommandKinds returns every command kind the domain knows.
func CommandKinds() []string {
	out := make([]string, 0, len(commandTypes))
	for k := range commandTypes {
		out = append(out, k)
	}
	return out
}

// DecodeCommand parses a command's JSON payload. Unknown kinds and unknown fields are refused
// with CodeInvalid.
func DecodeCommand(kind string, payload []byte) (Command, error) {
	f, ok := commandTypes[kind]
	if !ok {
		return nil, invalid("onbekende opdracht %q", "unknown command %q", kind)
	}
	c := f()
	if len(bytes.TrimSpace(payload)) == 0 {
		payload = []byte("{}")
	}
	dec := json.NewDecoder(bytes.NewReader(payload))
	dec.DisallowUnknownFields()
	if err := dec.Decode(c); err != nil {
		return nil, invalid("opdracht %q is ongeldig: %v", "command %q is malformed: %v", kind, err)
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, invalid("opdracht %q is ongeldig: er staat iets na het JSON-object", "command %q is malformed: data after the JSON object", kind)
	}
	return c, nil
}
