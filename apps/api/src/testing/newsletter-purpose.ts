/**
 * The purpose the multi-process tests and benches decide on: `POST /v1/purposes` of a newsletter
 * by e-mail on consent. Decisions then ask about `newsletter`, `email`, `contact`.
 */
export const NEWSLETTER_PURPOSE = {
  purposeKey: 'newsletter',
  name: 'Newsletter',
  description: 'news',
  legalBasis: 'consent',
  method: 'bulk-email',
  dataCategories: ['contact'],
  channels: ['email'],
  retentionDays: 365,
  noticeVersion: 'n-1',
} as const;
