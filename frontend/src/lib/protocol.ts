// Wire types of the Tafel live protocol (docs/protocol.md). The Go server produces exactly this
// JSON (camelCase). Arrays are always present, possibly empty; family, network and observer
// views simply lack professionals-only entries.

/** A message in both languages. */
export type Msg = { nl: string; en: string };

export type Phase = 1 | 2 | 3 | 4 | 5;
export type Role = 'chair' | 'professional' | 'family' | 'network' | 'observer';
export type MeetingStatus = 'scheduled' | 'in_progress' | 'closed';
export type Section = 'safety' | 'care' | 'recovery' | 'evaluation' | 'future' | 'other';
export type AgendaStatus = 'pending' | 'open' | 'closed' | 'suspended';
export type LockRule = 'assessment_first' | 'direct_safety' | 'stable_safety';

export interface Subject {
  id: string;
  name: string;
}

export interface FinalResult {
  subject: string;
  min: number | null;
  max: number | null;
  median: number | null;
  mean: number | null;
  consensus6: boolean;
  consensus7: boolean;
}

export interface MeetingSummary {
  id: string;
  title: string;
  at: string;
  status: MeetingStatus;
  final?: FinalResult[];
}

export interface CaseView {
  seq: number;
  case: {
    id: string;
    title: string;
    phase: Phase;
    policy: { quorum: number; stableMeetings: number; stableDays: number };
    subjects: Subject[];
    family: { id: string; name: string; relation: string }[];
    safetyPlanRetired: boolean;
  };
  safety: {
    direct: boolean;
    stable: boolean;
    streak: number;
    reason?: Msg;
    /** Lowest score per subject in the latest revealed round ({id, name, min}, as in a lock). */
    lowest: { id: string; name: string; min: number | null }[];
  };
  meetings: MeetingSummary[];
  current?: MeetingView;
  plans: Plans;
  /**
   * Something in the plan is withheld from this viewer ("er zijn afspraken die je niet ziet");
   * never which entry. Absent when nothing is.
   */
  withheld?: boolean;
  /**
   * For an invitee whose meeting closed: until when they can read this view (then a new link
   * from the case director is needed). Absent otherwise.
   */
  readUntil?: string;
}

export interface Participant {
  id: string;
  name: string;
  role: Role;
  status: 'lobby' | 'admitted' | 'left';
  professional: boolean;
  /** The case person (subject or family member id) the chair linked them to at admission. */
  person?: string;
}

export interface AgendaLock {
  rule: LockRule;
  message: Msg;
  subjects: { id: string; name: string; min: number | null }[];
}

export interface AgendaItem {
  id: string;
  title: string;
  kind: string;
  section: Section;
  status: AgendaStatus;
  locked: boolean;
  lock?: AgendaLock;
}

export interface MeetingView {
  id: string;
  title: string;
  at: string;
  status: MeetingStatus;
  chair: string;
  familyAdvisory: boolean;
  nextAt?: string;
  participants: Participant[];
  agenda: AgendaItem[];
  rounds: RoundView[];
}

export interface RoundScore {
  participant: string;
  name: string;
  role: string;
  subject: string;
  value: number | null;
  abstain: boolean;
  meaning: string;
  notHigher: string;
  advisory: boolean;
  /** The scorer kept the explanation for professionals: meaning and notHigher are empty here. */
  explanationWithheld?: boolean;
}

export interface RoundResult {
  subject: string;
  n: number;
  min: number | null;
  max: number | null;
  median: number | null;
  mean: number | null;
  spread: number | null;
  consensus6: boolean;
  consensus7: boolean;
}

export interface RoundView {
  id: string;
  number: number;
  status: 'open' | 'revealed';
  submitted: string[];
  pending: string[];
  missing?: string[];
  /** Family and network scores are advisory in this round. */
  advisory?: boolean;
  scores?: RoundScore[];
  results?: RoundResult[];
}

/**
 * "Niet zichtbaar voor": the case persons (subject or family ids) a plan entry is withheld from,
 * and why. Only professionals' views carry these fields; the persons named never get the entry.
 */
export interface Withholding {
  hiddenFrom?: string[];
  /** For professionals only. */
  hiddenReason?: string;
}

export interface BottomLine extends Withholding {
  id: string;
  subjects: string[];
  text: string;
  status: 'open' | 'met' | 'not_met';
}

export type PlanKind = 'safety' | 'care' | 'recovery';

export interface Agreement extends Withholding {
  id: string;
  plan: PlanKind;
  action: string;
  owner: { participant?: string; name: string };
  when: string;
  bottomLine?: string;
  goal?: string;
  status: 'open' | 'done' | 'not_done';
}

export interface Goal extends Withholding {
  id: string;
  plan: 'care' | 'recovery';
  member?: string;
  text: string;
  priority: number;
  riskFactors: string[];
  evaluation?: 'achieved' | 'in_progress' | 'not_achieved' | 'adjusted';
  /** The meeting that set the goal. */
  meeting?: string;
}

/** A monitoring check-in. */
export interface CheckIn extends Withholding {
  id: string;
  date: string;
  by: string;
  planNeeded: boolean;
  howItWorked: string;
  concerns: string;
}

export interface RiskFactor extends Withholding {
  id: string;
  text: string;
  category: string;
  dynamic: boolean;
  priority: number;
  instrument?: string;
}

/** A line of the future plan. */
export interface FutureEntry extends Withholding {
  id: string;
  warningSign: string;
  action: string;
  contact: string;
}

export interface Fact extends Withholding {
  id: string;
  text: string;
  by: string;
  professionalsOnly?: boolean;
}

/** A family or network member confirmed the agreed plan. */
export interface Confirmation {
  participant: string;
  name: string;
  meeting: string;
  at: string;
}

export interface Plans {
  bottomLines: BottomLine[];
  agreements: Agreement[];
  monitoring: CheckIn[];
  escalations: { id: string; kind: string; decision: string; reason: string; who: string; when: string }[];
  research: { id: string; part: string; chain: string; notes: string }[];
  riskFactors: RiskFactor[];
  goals: Goal[];
  future: FutureEntry[];
  facts: Fact[];
  decisions: { id: string; text: string; meeting: string }[];
  /** Present on the server's views; treat as possibly missing. */
  confirmations?: Confirmation[];
}

/** Who this connection is, from `welcome`. */
export interface You {
  /** Principal id: "u:<account>" or "i:<invitation>"; participants of a meeting use the same id. */
  id: string;
  name: string;
  /** Role in the current meeting; "" when not a participant. */
  role: Role | '';
  professional: boolean;
}

/** One event of the case log, already filtered for this client. */
export interface LogEvent {
  seq: number;
  id: string;
  type: string;
  time: string;
  actor: string;
  meeting: string;
  visibility: 'all' | 'professionals';
  data: unknown;
}

export type NackCode =
  | 'gate_closed'
  | 'forbidden'
  | 'invalid'
  | 'conflict'
  | 'not_found'
  | 'unavailable'
  | 'rate_limited'
  | 'too_large';

// Client → server frames.
export interface HelloFrame {
  type: 'hello';
  lastSeq: number;
}
export interface CommandFrame {
  type: 'command';
  id: string;
  kind: string;
  payload: unknown;
}
export type ClientFrame = HelloFrame | CommandFrame;

// Server → client frames.
export interface WelcomeFrame {
  type: 'welcome';
  case: string;
  you: You;
  seq: number;
  resume: 'events' | 'snapshot';
}
export interface EventsFrame {
  type: 'events';
  events: LogEvent[];
}
export interface ViewFrame {
  type: 'view';
  seq: number;
  view: CaseView;
}
/** One operation of a JSON Patch (RFC 6902), as the hub emits them. */
export type PatchOp =
  | { op: 'add' | 'replace'; path: string; value: unknown }
  | { op: 'remove'; path: string };
/** What changed in the view since the one at `base` (docs/protocol.md). */
export interface ViewPatchFrame {
  type: 'viewPatch';
  seq: number;
  base: number;
  ops: PatchOp[];
}
export interface AckFrame {
  type: 'ack';
  id: string;
  seq: number;
  duplicate: boolean;
}
export interface NackFrame {
  type: 'nack';
  id: string;
  code: NackCode | string;
  message: Msg;
  details?: unknown;
}
export interface PresenceFrame {
  type: 'presence';
  online: { id: string; name: string; role: string }[];
}
export type ServerFrame =
  | WelcomeFrame
  | EventsFrame
  | ViewFrame
  | ViewPatchFrame
  | AckFrame
  | NackFrame
  | PresenceFrame;
