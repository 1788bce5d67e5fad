package meeting

import (
	"sort"
	"time"
)

// Plans holds every plan of a case. Entries are never deleted; statuses change.
type Plans struct {
	BottomLines   []*BottomLine   `json:"bottomLines"`
	Agreements    []*Agreement    `json:"agreements"`
	Monitoring    []*CheckIn      `json:"monitoring"`
	Escalations   []*Escalation   `json:"escalations"`
	Research      []*ResearchPart `json:"research"`
	RiskFactors   []*RiskFactor   `json:"riskFactors"`
	Goals         []*Goal         `json:"goals"`
	Future        []*FutureEntry  `json:"future"`
	Facts         []*Fact         `json:"facts"`
	Decisions     []*Decision     `json:"decisions"`
	Confirmations []*Confirmation `json:"confirmations"`
	// Tasks are the monitoring tasks: who checks what, on which schedule (professionals only).
	Tasks []*MonitoringTask `json:"tasks"`
	// Version counts the changes of the plan (an entry added, revised or withdrawn); in a view it
	// is the version of the last change the viewer can see. A family confirmation records it.
	Version int `json:"version"`
	// Corrections and Statements are the family's rights on entries (lifecycle.go).
	Corrections []*Correction `json:"corrections"`
	Statements  []*Statement  `json:"statements"`
	// Recovery holds each person's recovery profile (recovery.go).
	Recovery []*RecoveryProfile `json:"recovery"`
}

// BottomLine is a bodemeis: what must hold for a 6.
type BottomLine struct {
	ID       string   `json:"id"`
	Subjects []string `json:"subjects"`
	Text     string   `json:"text"`
	// Status is the status set in the latest meeting: open, met or not_met.
	Status string `json:"status"`
	// History is the status per meeting id.
	History map[string]string `json:"history,omitempty"`
	// Withholding: "niet zichtbaar voor" named persons.
	Withholding
	// Changes: the version, revisions and withdrawal of the entry (bijstellen).
	Changes
}

// Owner is who carries out an agreement: a participant or a named network person.
type Owner struct {
	Participant string `json:"participant,omitempty"`
	Name        string `json:"name"`
}

// Agreement is an afspraak of the safety, care or recovery plan.
type Agreement struct {
	ID         string `json:"id"`
	Plan       string `json:"plan"` // safety, care, recovery
	Action     string `json:"action"`
	Owner      Owner  `json:"owner"`
	When       string `json:"when"`
	BottomLine string `json:"bottomLine,omitempty"`
	Goal       string `json:"goal,omitempty"`
	Status     string `json:"status"` // open, done, not_done
	// Schedule, when set, makes the agreement a recurring check: due and overdue follow from it
	// and from the check-ins linked to it.
	Schedule *Schedule `json:"schedule,omitempty"`
	// Withholding: "niet zichtbaar voor" named persons.
	Withholding
	// Changes: the version, revisions and withdrawal of the entry (bijstellen).
	Changes
}

// CheckIn is a monitoring check-in between meetings (professionals only).
type CheckIn struct {
	ID string `json:"id"`
	// Date is the day of the contact, "2006-01-02" (free text in check-ins recorded before
	// dates were checked).
	Date string `json:"date"`
	By   string `json:"by"`
	// ByID is the participant id of who recorded it (the actor).
	ByID        string `json:"byId,omitempty"`
	PlanNeeded  bool   `json:"planNeeded"`
	HowItWorked string `json:"howItWorked"`
	Concerns    string `json:"concerns"`
	// Person is the case person the contact was with (a subject or family member), if named.
	Person string `json:"person,omitempty"`
	// Agreement, BottomLine and Task link the check-in to what it checks (at least one).
	Agreement  string `json:"agreement,omitempty"`
	BottomLine string `json:"bottomLine,omitempty"`
	Task       string `json:"task,omitempty"`
	// Withholding: "niet zichtbaar voor" named persons.
	Withholding
}

// Escalation is an opschaling decision (professionals only).
type Escalation struct {
	ID       string `json:"id"`
	Kind     string `json:"kind"`
	Decision string `json:"decision"`
	Reason   string `json:"reason"`
	Who      string `json:"who"`
	When     string `json:"when"`
	// CheckIn and BottomLine link the escalation to the check-in or bottom line that led to it.
	CheckIn    string `json:"checkIn,omitempty"`
	BottomLine string `json:"bottomLine,omitempty"`
	// Between is true for an escalation the case director recorded between meetings.
	Between bool `json:"between,omitempty"`
}

// ResearchPart is one part of the MDA++ research plan (professionals only).
type ResearchPart struct {
	ID    string `json:"id"`
	Part  string `json:"part"`
	Chain string `json:"chain"`
	Notes string `json:"notes"`
}

// RiskFactor is a risk factor written as a fact.
type RiskFactor struct {
	ID         string `json:"id"`
	Text       string `json:"text"`
	Category   string `json:"category"`
	Dynamic    bool   `json:"dynamic"`
	Priority   int    `json:"priority"`
	Instrument string `json:"instrument,omitempty"`
	// Person or Relationship (two person ids) is whom the factor belongs to (issue 16); neither:
	// the household as a whole.
	Person       string   `json:"person,omitempty"`
	Relationship []string `json:"relationship,omitempty"`
	// Threat to safety and Speed of effect: 1 low – 3 high (0 not rated).
	Threat int `json:"threat,omitempty"`
	Speed  int `json:"speed,omitempty"`
	// Protective marks a protective factor (beschermende factor).
	Protective bool `json:"protective,omitempty"`
	// Proposal is "proposed" while a family member's proposal waits for the chair, "declined"
	// after; empty for a factor of the plan. ProposedBy names who proposed it.
	Proposal   string `json:"proposal,omitempty"`
	ProposedBy string `json:"proposedBy,omitempty"`
	// ProfessionalsOnly hides the factor from family, network and observers.
	ProfessionalsOnly bool `json:"professionalsOnly"`
	// Withholding: "niet zichtbaar voor" named persons.
	Withholding
	// Changes: the version, revisions and withdrawal of the entry (bijstellen).
	Changes
}

// Goal is a care-plan or recovery-plan goal.
type Goal struct {
	ID          string   `json:"id"`
	Plan        string   `json:"plan"` // care, recovery
	Member      string   `json:"member,omitempty"`
	Text        string   `json:"text"`
	Priority    int      `json:"priority"`
	RiskFactors []string `json:"riskFactors"`
	// Safety is what the goal does for safety, Relationship in which relationship (two person
	// ids), Check how it will be checked, Review the day of its review (issue 16).
	Safety       string   `json:"safety,omitempty"`
	Relationship []string `json:"relationship,omitempty"`
	Check        string   `json:"check,omitempty"`
	Review       string   `json:"review,omitempty"`
	// Evaluation is the latest evaluation; Evaluations keeps each by meeting id.
	Evaluation  string            `json:"evaluation,omitempty"`
	Evaluations map[string]string `json:"evaluations,omitempty"`
	// Meeting is where the goal was set; it is evaluated in a later one.
	Meeting string `json:"meeting"`
	// Withholding: "niet zichtbaar voor" named persons.
	Withholding
	// Changes: the version, revisions and withdrawal of the entry (bijstellen).
	Changes
}

// FutureEntry is a line of the future plan: a warning sign, what to do, whom to call.
type FutureEntry struct {
	ID          string `json:"id"`
	WarningSign string `json:"warningSign"`
	Action      string `json:"action"`
	Contact     string `json:"contact"`
	// Withholding: "niet zichtbaar voor" named persons.
	Withholding
	// Changes: the version, revisions and withdrawal of the entry (bijstellen).
	Changes
}

// Fact is a fact a professional shares with the table.
type Fact struct {
	ID                string `json:"id"`
	Text              string `json:"text"`
	By                string `json:"by"`
	ProfessionalsOnly bool   `json:"professionalsOnly"`
	// Withholding: "niet zichtbaar voor" named persons.
	Withholding
}

// Decision is a decision the chair records.
type Decision struct {
	ID      string `json:"id"`
	Text    string `json:"text"`
	Meeting string `json:"meeting"`
}

// Confirmation records that a family or network member confirmed the agreed plan.
type Confirmation struct {
	Participant string    `json:"participant"`
	Name        string    `json:"name"`
	Meeting     string    `json:"meeting"`
	At          time.Time `json:"at"`
	// Version is the plan version confirmed (as far as the confirmer could see it).
	Version int `json:"version,omitempty"`
}

// Allowed values of plan fields.
var (
	bottomLineStatuses = set("open", "met", "not_met")
	agreementPlans     = set("safety", "care", "recovery")
	agreementStatuses  = set("open", "done", "not_done")
	escalationKinds    = set("veilig_thuis_advice", "veilig_thuis_deployment", "child_protection_board", "criminal_justice", "mda_expertise", "compulsory_framework")
	researchParts      = set("medical_injury_exam", "fact_finding_interviews", "special_police_methods", "perpetrator_risk_profile", "violence_dynamics", "intrusive_memories", "other")
	researchChains     = set("safety_justice", "medical", "care")
	riskCategories     = set("parent", "child", "parent_child", "partner", "environment")
	riskInstruments    = set("", "CARE-NL", "ARIJ", "B-SAFER", "Static-99", "Stable", "Acute")
	goalPlans          = set("care", "recovery")
	goalOutcomes       = set("achieved", "in_progress", "not_achieved", "adjusted")
)

// Codes lists, by the prefix the UI's translations use (frontend/src/lib/i18n/nl.ts), every
// code the domain writes into a plan, a meeting or a view: each needs a Dutch word wherever
// people read it (the UI, the minutes).
func Codes() map[string][]string {
	keys := func(m map[string]bool) []string {
		out := make([]string, 0, len(m))
		for k := range m {
			if k != "" {
				out = append(out, k)
			}
		}
		sort.Strings(out)
		return out
	}
	kinds := make([]string, 0, len(kindInfo))
	for k := range kindInfo {
		kinds = append(kinds, string(k))
	}
	sort.Strings(kinds)
	return map[string][]string{
		"role":             {string(RoleChair), string(RoleProfessional), string(RoleFamily), string(RoleNetwork), string(RoleObserver)},
		"bottomLineStatus": keys(bottomLineStatuses),
		"agreementStatus":  keys(agreementStatuses),
		"planKind":         keys(agreementPlans),
		"escalation":       keys(escalationKinds),
		"research":         keys(researchParts),
		"chain":            keys(researchChains),
		"riskCategory":     keys(riskCategories),
		"evaluation":       keys(goalOutcomes),
		"kind":             kinds,
		"entryKind":        keys(entryKinds),
	}
}

func set(vs ...string) map[string]bool {
	m := make(map[string]bool, len(vs))
	for _, v := range vs {
		m[v] = true
	}
	return m
}
