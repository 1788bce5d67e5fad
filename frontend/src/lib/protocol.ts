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
export type LockRule = 'assessment_first' | 'direct_safety' | 'bottom_lines' | 'stable_safety';

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
  /** When the meeting was planned. */
  at: string;
  /** When it was held (started); absent until then. */
  heldAt?: string;
  status: MeetingStatus;
  final?: FinalResult[];
}

/** One case director's time with the case (casusregisseur). */
export interface DirectorTerm {
  id: string;
  name: string;
  organisation?: string;
  phone?: string;
  from: string;
  /** Absent for the director now. */
  to?: string;
  /** The hand-over that began the term (absent for the first director). */
  reason?: string;
  meeting?: string;
  warm?: boolean;
  whyNotWarm?: string;
}

/** A removal or reinstatement of the noodverband. */
export interface SafetyPlanChange {
  kind: 'retired' | 'reinstated';
  meeting: string;
  round?: string;
  at?: string;
}

export interface CaseView {
  seq: number;
  case: {
    id: string;
    title: string;
    phase: Phase;
    policy: { quorum: number; stableMeetings: number; stableDays: number };
    /** Every person once, with the flags at risk and household (absent from older servers). */
    persons?: Person[];
    subjects: Subject[];
    family: { id: string; name: string; relation: string }[];
    /** The intake the case started from, and its route (issue 16). */
    intake?: string;
    triageRoute?: string;
    safetyPlanRetired: boolean;
    /** Removals and reinstatements of the noodverband (possibly missing from older servers). */
    safetyPlanLog?: SafetyPlanChange[];
    /** The case director now: name, organisation, phone. */
    director?: DirectorTerm;
    /** Every director, oldest first (possibly missing from older servers). */
    directors?: DirectorTerm[];
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
  /** The care plan checked against the risk factors this viewer sees (possibly missing). */
  coverage?: { uncovered: string[]; staticOnly: string[] };
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
  /**
   * The live view carries only recent history (docs/protocol.md, "The live view and history"):
   * per list, the cursor of what comes before its entries (0: nothing older), for
   * GET /api/cases/{id}/history/{list}. Absent from fixtures, the REST view and older servers.
   */
  earlier?: Earlier;
}

/** The history lists of a case, read a page at a time. */
export type HistoryListName = 'meetings' | 'monitoring' | 'facts' | 'decisions' | 'confirmations';

/** Per history list, the cursor before the live view's recent entries (0: nothing older). */
export type Earlier = Record<HistoryListName, number>;

/** A past meeting: its summary and its rounds as the viewer may see them. */
export interface MeetingRecord extends MeetingSummary {
  rounds: RoundView[];
}

/** One page of one history list, oldest first; `before` is the next older page's cursor (0: none). */
export interface HistoryPage {
  list: HistoryListName;
  meetings?: MeetingRecord[];
  monitoring?: CheckIn[];
  facts?: Fact[];
  decisions?: Plans['decisions'];
  confirmations?: Confirmation[];
  before: number;
}

export interface Participant {
  id: string;
  name: string;
  role: Role;
  status: 'lobby' | 'admitted' | 'left';
  professional: boolean;
  /** The case person (subject or family member id) the chair linked them to at admission. */
  person?: string;
  /** A professional's organisation, as their account gave it when they joined. */
  organisation?: string;
  /** What they do ("huisarts", "politie"), as their account or invitation gave it when they joined. */
  discipline?: string;
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
  /** When it was held (started). */
  heldAt?: string;
  familyAdvisory: boolean;
  /** Why family and network scores are advisory (everyone at the table reads it). */
  advisoryReason?: string;
  /** A complete round reveals itself; off (the default), the chair reveals it. */
  autoReveal?: boolean;
  /** The shared screen's language as the chair set it; absent: each screen keeps its own. */
  displayLanguage?: 'nl' | 'en';
  /** The chair's reasons to go on although a bottom line was not met in this meeting. */
  gateReasons?: { meeting: string; reason: string; bottomLines: string[] }[];
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
  /** Open, and every present scorer has scored every subject: it waits for the chair. */
  complete?: boolean;
  /** Family and network scores are advisory in this round. */
  advisory?: boolean;
  scores?: RoundScore[];
  results?: RoundResult[];
}

/** What happened to a plan entry after it was added (bijstellen). */
export interface Changes {
  /** The plan version of the entry's last change. */
  version?: number;
  /** The meeting it was added in. */
  addedIn?: string;
  revisions?: { meeting?: string; at: string; was: string; version: number }[];
  withdrawn?: { meeting?: string; at: string; reason: string };
}

/** A recurring check: from start, every N days, until (optional). Dates are yyyy-mm-dd. */
export interface Schedule {
  start: string;
  every: number;
  until?: string;
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

export interface BottomLine extends Changes, Withholding {
  id: string;
  subjects: string[];
  text: string;
  status: 'open' | 'met' | 'not_met';
  /** The status per meeting id. */
  history?: Record<string, 'open' | 'met' | 'not_met'>;
}

export type PlanKind = 'safety' | 'care' | 'recovery';

export interface Agreement extends Changes, Withholding {
  id: string;
  plan: PlanKind;
  action: string;
  owner: { participant?: string; name: string };
  when: string;
  bottomLine?: string;
  goal?: string;
  status: 'open' | 'done' | 'not_done';
  schedule?: Schedule;
}

export interface Goal extends Changes, Withholding {
  id: string;
  plan: 'care' | 'recovery';
  member?: string;
  text: string;
  priority: number;
  riskFactors: string[];
  evaluation?: 'achieved' | 'in_progress' | 'not_achieved' | 'adjusted';
  /** The evaluation per meeting id. */
  evaluations?: Record<string, string>;
  /** The meeting that set the goal. */
  meeting?: string;
  /** What the goal does for safety, in which relationship, how it is checked, its review day. */
  safety?: string;
  relationship?: string[];
  check?: string;
  review?: string;
}

/** A monitoring check-in (professionals only). */
export interface CheckIn extends Withholding {
  id: string;
  date: string;
  by: string;
  byId?: string;
  planNeeded: boolean;
  howItWorked: string;
  concerns: string;
  person?: string;
  agreement?: string;
  bottomLine?: string;
  task?: string;
}

/** A monitoring task: who checks what, on which schedule (professionals only). */
export interface MonitoringTask extends Changes, Withholding {
  id: string;
  what: string;
  owner: { participant?: string; name: string };
  schedule: Schedule;
  person?: string;
  agreement?: string;
  bottomLine?: string;
}

/** A scheduled check that is due (GET /api/cases/{id}/due, GET /api/due). */
export interface DueItem {
  kind: 'agreement' | 'task';
  id: string;
  what: string;
  owner: { participant?: string; name: string };
  person?: string;
  /** yyyy-mm-dd */
  due: string;
  /** Days late: > 0 overdue, 0 today, < 0 in -days days. */
  days: number;
  overdue: boolean;
  last?: string;
}

export interface RiskFactor extends Changes, Withholding {
  id: string;
  text: string;
  category: string;
  dynamic: boolean;
  priority: number;
  instrument?: string;
  /** Whom the factor belongs to: a person, or a relationship of two persons (issue 16). */
  person?: string;
  relationship?: string[];
  /** Threat to safety and speed of effect, 1 low – 3 high (absent: not rated). */
  threat?: number;
  speed?: number;
  protective?: boolean;
  /** "proposed" (waiting for the chair) or "declined"; absent for a factor of the plan. */
  proposal?: 'proposed' | 'declined';
  proposedBy?: string;
  professionalsOnly?: boolean;
}

/** A line of the future plan. */
export interface FutureEntry extends Changes, Withholding {
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
  /** The plan version confirmed. */
  version?: number;
}

export interface Plans {
  bottomLines: BottomLine[];
  agreements: Agreement[];
  monitoring: CheckIn[];
  escalations: { id: string; kind: string; decision: string; reason: string; who: string; when: string; checkIn?: string; bottomLine?: string; between?: boolean }[];
  research: { id: string; part: string; chain: string; notes: string }[];
  riskFactors: RiskFactor[];
  goals: Goal[];
  future: FutureEntry[];
  facts: Fact[];
  decisions: { id: string; text: string; meeting: string }[];
  /** Present on the server's views; treat as possibly missing. */
  confirmations?: Confirmation[];
  /** Monitoring tasks (professionals only; possibly missing). */
  tasks?: MonitoringTask[];
  /** The version of the last change this viewer can see (possibly missing). */
  version?: number;
  /** Corrections and own statements of the entries this viewer sees (possibly missing). */
  corrections?: Correction[];
  statements?: Statement[];
  /** Each person's recovery profile (possibly missing). */
  recovery?: RecoveryProfile[];
}

/** One person's recovery plan besides their goals (hub/meeting/recovery.go). */
export interface RecoveryProfile {
  person: string;
  needs?: string;
  obstacles?: string;
  trauma: { intrusive?: 'yes' | 'no' | 'unknown'; action?: 'treat' | 'watch'; recheck?: string };
  lifeAreas: { home?: string; school?: string; leisure?: string; network?: string };
  childView?: { summary: string; by: string; date: string; method: string };
  meeting?: string;
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
export interface AckFrame {
  type: 'ack';
  id: string;
  seq: number;
  duplicate: boolean;
}
/** One ack inside an update frame. */
export interface UpdateAck {
  id: string;
  seq: number;
  duplicate: boolean;
}
/**
 * What a batch of events brings, in one frame (docs/protocol.md, `update`): the events this
 * client may see (absent when none), the view change — the whole `view`, or `base` and `ops`
 * (a patch from the view at `base`) — and the acks of this client's commands the batch stored.
 */
export interface UpdateFrame {
  type: 'update';
  seq: number;
  events?: LogEvent[];
  view?: CaseView;
  base?: number;
  ops?: PatchOp[];
  acks?: UpdateAck[];
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
  | UpdateFrame
  | AckFrame
  | NackFrame
  | PresenceFrame;

/** A person of the case, entered once: at risk (scored), of the household, or both. */
export interface Person {
  id: string;
  name: string;
  relation?: string;
  birthYear?: number;
  atRisk: boolean;
  household: boolean;
}
