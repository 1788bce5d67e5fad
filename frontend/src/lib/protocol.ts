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
  /** When known: counts for the retention of the case. */
  birthYear?: number;
}

/** A plan entry named by its kind and id (corrections and own statements point at one). */
export interface EntryRef {
  kind: 'bottomline' | 'agreement' | 'goal' | 'fact' | 'risk' | 'future' | 'decision' | 'monitoring';
  entry: string;
}

/** A correction of an entry: the entry already shows `text`; previous, reason and by reach professionals only. */
export interface Correction extends EntryRef {
  text: string;
  previous?: string;
  reason?: string;
  by?: string;
  at: string;
}

/** A person's own statement (eigen verklaring) attached to an entry. */
export interface Statement extends EntryRef {
  id: string;
  person: string;
  name: string;
  text: string;
  by: string;
  at: string;
}

/** A request for earlier destruction of the file. */
export interface DestructionRequest {
  id: string;
  person: string;
  name: string;
  reason?: string;
  status: 'open' | 'proposed' | 'granted' | 'refused';
  decision?: { grant: boolean; reason: string; name: string; secondName?: string };
}

/** Where the case is in its life (hub/meeting/lifecycle.go). */
export interface LifeView {
  status: 'active' | 'closed';
  closedAt?: string;
  reason?: string;
  route?: string;
  /** The end of retention; absent while open or under a legal hold. */
  retainUntil?: string;
  held?: boolean;
  holdReason?: string;
  approvals?: { by: string; name: string; at: string }[];
  destruction?: DestructionRequest[];
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
    /** The case's life; absent from fixtures and older servers. */
    life?: LifeView;
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
}

export interface Participant {
  id: string;
  name: string;
  role: Role;
  status: 'lobby' | 'admitted' | 'left';
  professional: boolean;
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

export interface BottomLine {
  id: string;
  subjects: string[];
  text: string;
  status: 'open' | 'met' | 'not_met';
}

export type PlanKind = 'safety' | 'care' | 'recovery';

export interface Agreement {
  id: string;
  plan: PlanKind;
  action: string;
  owner: { participant?: string; name: string };
  when: string;
  bottomLine?: string;
  goal?: string;
  status: 'open' | 'done' | 'not_done';
}

export interface Goal {
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
  monitoring: { id: string; date: string; by: string; planNeeded: boolean; howItWorked: string; concerns: string }[];
  escalations: { id: string; kind: string; decision: string; reason: string; who: string; when: string }[];
  research: { id: string; part: string; chain: string; notes: string }[];
  riskFactors: { id: string; text: string; category: string; dynamic: boolean; priority: number; instrument?: string }[];
  goals: Goal[];
  future: { id: string; warningSign: string; action: string; contact: string }[];
  facts: { id: string; text: string; by: string; professionalsOnly?: boolean }[];
  decisions: { id: string; text: string; meeting: string }[];
  /** Present on the server's views; treat as possibly missing. */
  confirmations?: Confirmation[];
  /** Corrections and own statements of the entries this viewer sees (possibly missing). */
  corrections?: Correction[];
  statements?: Statement[];
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
