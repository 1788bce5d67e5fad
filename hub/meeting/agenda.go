package meeting

// Section groups agenda items by what they work on; the gate locks sections.
type Section string

// Agenda sections.
const (
	SectionSafety     Section = "safety"
	SectionCare       Section = "care"
	SectionRecovery   Section = "recovery"
	SectionEvaluation Section = "evaluation"
	SectionFuture     Section = "future"
	SectionOther      Section = "other"
)

// ItemKind is what an agenda item is about.
type ItemKind string

// Agenda item kinds (paper §3.2–§3.5, §4).
const (
	KindSafetyAssessment ItemKind = "safety_assessment"  // veiligheidstaxatie: always first
	KindSafetyPlanReview ItemKind = "safety_plan_review" // veiligheidsplan bespreken
	KindBottomLines      ItemKind = "bottom_lines"       // bodemeisen
	KindSafetyAgreements ItemKind = "safety_agreements"  // afspraken veiligheidsplan
	KindMonitoring       ItemKind = "monitoring"         // monitoring
	KindEscalation       ItemKind = "escalation"         // opschaling
	KindResearchPlan     ItemKind = "research_plan"      // onderzoeksplan (MDA++)
	KindRestoreSix       ItemKind = "restore_six"        // welke maatregelen om de 6 weer te borgen
	// KindConsiderEscalation is put on the agenda when a bottom line was not met in two
	// meetings in a row.
	KindConsiderEscalation ItemKind = "consider_escalation" // opschaling overwegen
	// KindWarmHandover: the case goes to another case director, the safety plan gone through
	// with the family present.
	KindWarmHandover     ItemKind = "warm_handover"      // warme overdracht
	KindRiskAssessment   ItemKind = "risk_assessment"    // systeemgerichte risicotaxatie
	KindCarePlan         ItemKind = "care_plan"          // hulpverleningsplan
	KindRecoveryPlan     ItemKind = "recovery_plan"      // herstelplan
	KindEvaluation       ItemKind = "evaluation"         // evaluatie
	KindFuturePlan       ItemKind = "future_plan"        // toekomstplan
	KindRetireSafetyPlan ItemKind = "retire_safety_plan" // noodverband verwijderen
	KindOther            ItemKind = "other"              // anything else
)

// kindInfo is the section and default Dutch title of each kind.
var kindInfo = map[ItemKind]struct {
	section Section
	title   string
}{
	KindSafetyAssessment:   {SectionSafety, "Veiligheidstaxatie"},
	KindSafetyPlanReview:   {SectionSafety, "Veiligheidsplan bespreken"},
	KindBottomLines:        {SectionSafety, "Bodemeisen"},
	KindSafetyAgreements:   {SectionSafety, "Afspraken veiligheidsplan"},
	KindMonitoring:         {SectionSafety, "Monitoring"},
	KindEscalation:         {SectionSafety, "Opschaling"},
	KindResearchPlan:       {SectionSafety, "Onderzoeksplan"},
	KindRestoreSix:         {SectionSafety, RestoreSixTitle},
	KindConsiderEscalation: {SectionSafety, "Opschaling overwegen"},
	KindWarmHandover:       {SectionSafety, "Warme overdracht"},
	KindRiskAssessment:     {SectionCare, "Risicotaxatie"},
	KindCarePlan:           {SectionCare, "Hulpverleningsplan"},
	KindRecoveryPlan:       {SectionRecovery, "Herstelplannen"},
	KindEvaluation:         {SectionEvaluation, "Evaluatie"},
	KindFuturePlan:         {SectionFuture, "Toekomstplan"},
	KindRetireSafetyPlan:   {SectionFuture, "Noodverband verwijderen"},
	KindOther:              {SectionOther, "Overig"},
}

// RestoreSixTitle is the item that goes to the top of the agenda when a round breaks
// consensus on the 6 (paper §3.2).
const RestoreSixTitle = "Welke maatregelen zijn nodig om de 6 direct weer te borgen?"

// SectionOf returns the section of an item kind ("" for an unknown kind).
func SectionOf(k ItemKind) Section { return kindInfo[k].section }

// defaultAgenda is the agenda of a meeting scheduled without one.
var defaultAgenda = []ItemKind{
	KindSafetyAssessment, KindSafetyPlanReview, KindBottomLines, KindSafetyAgreements,
	KindRiskAssessment, KindCarePlan, KindRecoveryPlan,
}
