package meeting

import "time"

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
	// Withholding: "niet zichtbaar voor" named persons.
	Withholding
}

// CheckIn is a monitoring check-in between meetings (professionals only).
type CheckIn struct {
	ID          string `json:"id"`
	Date        string `json:"date"`
	By          string `json:"by"`
	PlanNeeded  bool   `json:"planNeeded"`
	HowItWorked string `json:"howItWorked"`
	Concerns    string `json:"concerns"`
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
	// ProfessionalsOnly hides the factor from family, network and observers.
	ProfessionalsOnly bool `json:"professionalsOnly"`
	// Withholding: "niet zichtbaar voor" named persons.
	Withholding
}

// Goal is a care-plan or recovery-plan goal.
type Goal struct {
	ID          string   `json:"id"`
	Plan        string   `json:"plan"` // care, recovery
	Member      string   `json:"member,omitempty"`
	Text        string   `json:"text"`
	Priority    int      `json:"priority"`
	RiskFactors []string `json:"riskFactors"`
	Evaluation  string   `json:"evaluation,omitempty"`
	// Meeting is where the goal was set; it is evaluated in a later one.
	Meeting string `json:"meeting"`
	// Withholding: "niet zichtbaar voor" named persons.
	Withholding
}

// FutureEntry is a line of the future plan: a warning sign, what to do, whom to call.
type FutureEntry struct {
	ID          string `json:"id"`
	WarningSign string `json:"warningSign"`
	Action      string `json:"action"`
	Contact     string `json:"contact"`
	// Withholding: "niet zichtbaar voor" named persons.
	Withholding
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

func set(vs ...string) map[string]bool {
	m := make(map[string]bool, len(vs))
	for _, v := range vs {
		m[v] = true
	}
	return m
}
