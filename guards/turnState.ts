/**
 * What guards tell each other within one turn, through `context.turnState`. Keys are symbols so nothing outside
 * the guards can collide with them. A missing entry always means the restrictive choice (fail closed).
 */
export const TurnKeys = {
  /** ConsentGuard -> TranscriptGuard: may this turn's activities be kept? Absent = no. */
  consent: Symbol.for('trustline.consent'),
  /** IdentityGuard -> TranscriptGuard, dialogs: the verified subject of this conversation, if any. */
  subject: Symbol.for('trustline.subject'),
  /** Anyone -> TranscriptGuard: replace this text in the stored copy of the incoming activity (e.g. a typed code). */
  incomingReplacement: Symbol.for('trustline.incomingReplacement'),
} as const;

export interface ConsentDecision {
  /** Keep redacted transcripts of this conversation. */
  transcripts: boolean;
  noticeVersion?: string;
}

/** The verified customer: their own profile values are redacted wherever they appear (DESIGN.md section 5). */
export interface VerifiedSubject {
  /** Random pseudonym of the subject (never the customer number). */
  pseudonym: string;
  verifiedAt: number;
  method: string;
  profile: { names?: string[]; emails?: string[]; phones?: string[]; addresses?: string[]; birthDates?: string[] };
}
