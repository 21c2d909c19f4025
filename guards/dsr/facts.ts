/**
 * The GDPR article 15 facts every export carries (and the access summary names): purposes, categories, recipients,
 * retention, source, rights. Kept as data next to the code that stores things, so a new store means a new line here
 * (a test checks every registered data source has a category).
 */
import type { RetentionPolicy } from '../../config.js';

export interface Article15Facts {
  controller: string;
  purposes: { id: string; description: string; legalBasis: string }[];
  categories: { id: string; description: string; source: string }[];
  recipients: { id: string; description: string; erasableByUs: boolean }[];
  retention: { category: string; seconds: number | null; description: string }[];
  rights: string[];
  automatedDecisionMaking: string;
  transfersOutsideEEA: string;
}

/** Channel providers keep their own copies of the conversation for their retention periods (named in the erasure). */
export const CHANNEL_COPIES = [
  { id: 'microsoft_teams', description: 'Microsoft Teams keeps its own copy of messages exchanged in Teams, under your organisation\'s Teams retention settings.' },
  { id: 'azure_bot_service_direct_line', description: 'Microsoft Azure Bot Service (Direct Line, Web Chat) relays the messages and keeps them for its own short retention period.' },
] as const;

export function article15Facts(r: RetentionPolicy & { handoffSeconds: number; requestSeconds: number }): Article15Facts {
  return {
    controller: 'Trustline customer service (the retailer operating this assistant)',
    purposes: [
      { id: 'customer_service', description: 'Answering your questions about orders, deliveries, payments and returns.', legalBasis: 'contract (GDPR art. 6(1)(b))' },
      { id: 'identity_verification', description: 'Confirming who you are before disclosing or changing anything about your account.', legalBasis: 'legal obligation and legitimate interest (GDPR art. 6(1)(c), (f))' },
      { id: 'service_quality_transcripts', description: 'Keeping a redacted copy of the conversation, only if you agreed.', legalBasis: 'consent (GDPR art. 6(1)(a))' },
      { id: 'data_subject_requests', description: 'Handling your requests to access, export, correct or erase your data, and recording that they happened.', legalBasis: 'legal obligation (GDPR art. 6(1)(c))' },
      { id: 'security_audit', description: 'A pseudonymous record of verifications and of staff access to your data.', legalBasis: 'legal obligation and legitimate interest (GDPR art. 6(1)(c), (f))' },
    ],
    categories: [
      { id: 'profile', description: 'Name, email address, phone number, postal address, date of birth, language, region, linked Teams identities.', source: 'you, when you became a customer (customer directory / CRM)' },
      { id: 'orders', description: 'Orders, items, delivery status.', source: 'our order system (customer directory / CRM)' },
      { id: 'consent', description: 'Your choices about keeping conversations, with the notice version and time.', source: 'you, in the conversation' },
      { id: 'conversation_state', description: 'Where a conversation stands (language, open questions, verification status).', source: 'the conversation' },
      { id: 'transcripts', description: 'Redacted copies of conversations you agreed to keep (personal values replaced by tags; card numbers never kept).', source: 'the conversation' },
      { id: 'handoff', description: 'Hand-overs to a person: queue entries, messages exchanged with our staff (redacted), and reveals of masked values.', source: 'the conversation and our staff' },
      { id: 'requests', description: 'Your data-subject requests: type, dates, status, outcome.', source: 'you, in the conversation' },
      { id: 'opt_out', description: 'Your objection to the sale or sharing of your information.', source: 'you, in the conversation' },
      { id: 'staff_access', description: 'Which member of our staff viewed your conversation data or revealed a masked value, and when.', source: 'our audit log' },
    ],
    recipients: [
      { id: 'customer_directory', description: 'Our customer directory / CRM (system of record).', erasableByUs: true },
      { id: 'customer_service_staff', description: 'Our customer-service agents, when you ask for a person.', erasableByUs: true },
      { id: 'email_and_sms_providers', description: 'Our email and SMS delivery providers, for one-time codes.', erasableByUs: false },
      ...CHANNEL_COPIES.map((c) => ({ ...c, erasableByUs: false })),
    ],
    retention: [
      { category: 'conversation_state', seconds: r.stateSeconds, description: 'Deleted automatically after this time without activity.' },
      { category: 'transcripts', seconds: r.transcriptSeconds, description: 'Deleted automatically after this time.' },
      { category: 'handoff', seconds: r.handoffSeconds, description: 'Deleted automatically after this time.' },
      { category: 'consent', seconds: r.keySeconds, description: 'Kept while the keys that protect it exist.' },
      { category: 'requests', seconds: r.requestSeconds, description: 'A pseudonymous record that a request happened, kept as proof that we answered it.' },
      { category: 'profile', seconds: null, description: 'Kept by the customer directory while you are a customer; invoices as long as tax law requires.' },
    ],
    rights: ['access (GDPR art. 15)', 'rectification (art. 16)', 'erasure (art. 17)', 'restriction (art. 18)', 'portability (art. 20)', 'objection (art. 21)', 'withdraw consent at any time (art. 7(3))', 'opt out of sale or sharing (CCPA 1798.120)', 'lodge a complaint with a supervisory authority (art. 77)'],
    automatedDecisionMaking: 'none',
    transfersOutsideEEA: 'Only through the channel provider you use (Microsoft) under its own data-processing terms.',
  };
}
