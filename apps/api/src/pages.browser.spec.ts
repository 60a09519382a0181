import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type BrowserContext } from 'playwright-core';
import { DOCUMENT_LANGUAGES, type DocumentLanguage } from '@attest/kernel';
import { activitiesHtml, type ActivityVersion } from '@attest/processing-domain';
import { accessExportHtml, type AccessExport, type RequestView } from '@attest/requests-application';

/**
 * The pages written for people (D1's access export, P4's register), in a real
 * browser: nothing wider than a 1200 px window, nothing wider than an A4 page
 * when printed, and a PDF comes out. `ATTEST_SCREENSHOTS=1` also writes the
 * guides' pictures (docs/guides/images). CI installs Chromium (.ci/run); a
 * machine without it skips this spec and says so.
 */
const CHROMIUM = process.env['CHROMIUM_PATH'] ?? '/usr/bin/chromium';
const available = existsSync(CHROMIUM);
if (!available) {
  // CI installs it (.ci/run), so there a missing browser is a failure, not a skip.
  if (process.env['CI'] === 'true') throw new Error(`no Chromium at ${CHROMIUM}: .ci/run installs it with apt-get`);
  process.stderr.write(`pages.browser.spec: no Chromium at ${CHROMIUM} (apt-get install chromium); skipped\n`);
}
const IMAGES = join(__dirname, '..', '..', '..', 'docs', 'guides', 'images');

const long = 'Called about the renewal of the annual service contract and asked for a written summary of every option discussed, including prices '.repeat(3);
const request = (over: Partial<RequestView>): RequestView => ({
  requestId: '01a24083-93d2-7005-af00-4f5123c9711d',
  tenantId: 'acme',
  customerId: '01a24083-8ccb-7002-9a1f-edbb0007c52d',
  requestType: 'access',
  channel: 'web',
  relation: 'self',
  scope: { fields: [], purposes: [] },
  status: 'completed',
  verified: true,
  verificationMethod: 'one-time-code',
  handler: null,
  escalations: [],
  receivedAt: '2026-11-23T10:00:00.000Z',
  dueOn: '2026-12-23',
  maxExtendedDueOn: '2027-02-23',
  extensionNoticeBy: '2026-12-23',
  extension: null,
  urgency: null,
  outcome: null,
  rejection: null,
  closedAt: '2026-11-24T09:30:00.000Z',
  duplicates: [],
  ...over,
});

const EXPORT: AccessExport = {
  format: 'attest-access-export/v1',
  tenantId: 'acme',
  requestId: '01a24083-93d2-7005-af00-4f5123c9711d',
  generatedAt: '2026-11-24T09:30:00.000Z',
  subject: {
    customerId: '01a24083-8ccb-7002-9a1f-edbb0007c52d',
    profile: {
      name: '王芳 Wang Fang',
      email: 'wang.fang.with.a.rather.long.address.for.testing.wrapping@example-customer-domain.example',
      phone: '+86 138 0000 0000',
      birthDate: '1988-04-02',
      address: '上海市浦东新区世纪大道 100 号 Century Avenue 100, Pudong, Shanghai',
    },
    tags: ['vip', 'renewal-2027'],
    under14: false,
    restricted: false,
    createdAt: '2025-03-01T08:00:00.000Z',
  },
  followUps: [{ followUpId: 'f-1', channel: 'phone', note: long, dueOn: '2026-12-01', recordedAt: '2026-11-20T06:15:00.000Z' }],
  consents: [
    {
      action: 'granted',
      purpose: { key: 'newsletter', version: 1, name: 'Monthly product news', legalBasis: 'consent' },
      channel: 'email',
      scope: 'general',
      thirdParty: null,
      crossBorder: null,
      evidence: {
        noticeVersion: 'privacy-notice-2026-11',
        method: 'checkbox',
        source: 'web-signup-form',
        collector: 'system:web-shop',
        collectedAt: '2026-11-22T10:00:00.000Z',
      },
      withdrawal: null,
      givenByGuardian: null,
      recordedAt: '2026-11-22T10:00:01.000Z',
    },
    {
      action: 'withdrawn',
      purpose: { key: 'newsletter', version: 1, name: 'Monthly product news', legalBasis: 'consent' },
      channel: 'email',
      scope: 'general',
      thirdParty: null,
      crossBorder: null,
      evidence: null,
      withdrawal: { method: 'unsubscribe-link', source: 'newsletter-footer' },
      givenByGuardian: null,
      recordedAt: '2026-11-23T09:00:00.000Z',
    },
  ],
  processing: [
    {
      at: '2026-11-24T09:30:00.000Z',
      kind: 'export',
      purpose: 'data-subject-request',
      categories: ['contact', 'profile', 'communications', 'consent', 'processing-record'],
      legalBasis: 'legal-obligation',
      method: 'access-export',
      actor: 'apiKey:01a24083-8bde-7009-ad53-fdc45e1c11b4',
      channel: null,
      outcome: null,
    },
    {
      at: '2026-11-22T10:05:00.000Z',
      kind: 'decision',
      purpose: 'newsletter',
      categories: ['contact'],
      legalBasis: 'consent',
      method: 'bulk-email',
      actor: 'apiKey:01a24083-8bf3-7004-9e98-f3a91badc68e',
      channel: 'email',
      outcome: 'allow',
    },
    {
      at: '2026-11-21T03:00:00.000Z',
      kind: 'read',
      purpose: 'customer-support',
      categories: ['contact', 'financial-account'],
      legalBasis: 'contract',
      method: 'api',
      actor: 'user:01a24083-0000-7000-8000-000000000001',
      channel: null,
      outcome: null,
    },
  ],
  requests: [request({})],
};

const ACTIVITY: ActivityVersion = {
  activityId: '01a24083-1111-7000-8000-000000000001',
  version: 3,
  recordedBy: 'user:01a24083-0000-7000-8000-000000000002',
  recordedAt: '2026-11-20T02:00:00.000Z',
  assessmentRequired: true,
  activity: {
    name: 'Customer newsletters and service messages by e-mail, text message and WhatsApp',
    controller: { name: 'Acme Trading Co., Ltd.', contact: 'privacy-office@acme-trading-company-limited.example' },
    dataProtectionOfficer: 'Head of the privacy office',
    purposes: ['Sending the monthly product newsletter to customers who consented', 'Service messages about orders and deliveries'],
    legalBasis: 'consent',
    dataSubjectCategories: ['customers', 'prospective customers'],
    dataCategories: ['contact', 'behaviour', 'transactions'],
    recipients: ['Meta Platforms Ireland (WhatsApp Business Platform), as processor', 'Mail delivery provider, as processor'],
    transfers: [{ country: 'IE', safeguards: 'Standard contract for cross-border transfer of personal information (CAC), filed 2026-05-01' }],
    erasureTimeLimit: 'Two years after the last interaction, or at once on withdrawal of consent',
    securityMeasures: [
      'Per-subject encryption keys (crypto-shredding)',
      'Role-based access with a stated purpose for every read',
      'Tamper-evident processing record',
    ],
    sensitiveData: false,
    automatedDecisionMaking: false,
    entrustedProcessing: true,
    providedToOthers: false,
    publicDisclosure: false,
  },
};

const PAGES: { name: string; html: (lang: DocumentLanguage) => string }[] = [
  { name: 'access-export', html: (lang) => accessExportHtml(EXPORT, { lang, timeZone: 'Asia/Shanghai' }) },
  {
    name: 'register',
    html: (lang) =>
      activitiesHtml(
        'acme',
        [
          ACTIVITY,
          {
            ...ACTIVITY,
            activityId: '01a24083-1111-7000-8000-000000000002',
            version: 1,
            activity: { ...ACTIVITY.activity, name: 'Support tickets', transfers: [] },
          },
        ],
        '2026-11-24T09:30:00.000Z',
        { lang, timeZone: 'Asia/Shanghai' },
      ),
  },
];

(available ? describe : describe.skip)('pages for people in a real browser (Chromium): no overflow at 1200 px or on A4, and they print', () => {
  let browser: BrowserContext;
  let profile: string;

  beforeAll(async () => {
    profile = await mkdtemp(join(tmpdir(), 'attest-chromium-'));
    // A fresh profile per run; the flags known to work headless on these machines.
    browser = await chromium.launchPersistentContext(profile, {
      executablePath: CHROMIUM,
      headless: true,
      args: [
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
      ],
    });
  }, 60_000);

  afterAll(async () => {
    await browser.close();
    await rm(profile, { recursive: true, force: true });
  });

  /** Elements whose right edge passes the viewport (what a reader would have to scroll to see). */
  const overflowing = `(() => {
    const width = document.documentElement.clientWidth;
    const wide = [...document.querySelectorAll('body *')].filter((el) => el.getBoundingClientRect().right > width + 0.5).map((el) => el.tagName.toLowerCase() + ':' + (el.textContent || '').slice(0, 40));
    return { scrollWidth: document.documentElement.scrollWidth, width, wide };
  })()`;

  for (const page of PAGES) {
    for (const lang of DOCUMENT_LANGUAGES) {
      it(`${page.name} (${lang}): fits 1200 px and A4, and prints`, async () => {
        const tab = await browser.newPage();
        await tab.setViewportSize({ width: 1200, height: 900 });
        try {
          await tab.setContent(page.html(lang), { waitUntil: 'load' });
          expect(await tab.evaluate(overflowing)).toMatchObject({ scrollWidth: 1200, wide: [] });
          // No codes or raw JSON where words belong.
          const shown = await tab.evaluate('document.body.innerText');
          expect(shown).not.toMatch(/[{}]|"[a-z]+":|apiKey:|\d{4}-\d{2}-\d{2}T/u);
          if (process.env['ATTEST_SCREENSHOTS'] === '1') await tab.screenshot({ path: join(IMAGES, `${page.name}.${lang}.png`), fullPage: false });
          // A4 portrait is 794 px wide at 96 dpi: the printed page must fit too.
          await tab.emulateMedia({ media: 'print' });
          await tab.setViewportSize({ width: 794, height: 1123 });
          expect(await tab.evaluate(overflowing)).toMatchObject({ wide: [] });
          const pdf = await tab.pdf({ format: 'A4', printBackground: true });
          expect(pdf.subarray(0, 5).toString('latin1')).toBe('%PDF-');
          const pages = (pdf.toString('latin1').match(/\/Type\s*\/Page[^s]/gu) ?? []).length;
          expect(pages).toBeGreaterThanOrEqual(1);
          await writeFile(join(profile, `${page.name}.${lang}.pdf`), pdf);
        } finally {
          await tab.close();
        }
      }, 60_000);
    }
  }
});
