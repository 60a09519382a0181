/**
 * Pages written for people (a data subject's access export, the register of
 * processing activities for a regulator): the words for Attest's codes in
 * English and Simplified Chinese, dates in words in the reader's time zone,
 * and HTML escaping. Pure: no I/O, Intl only.
 */
export const DOCUMENT_LANGUAGES = ['en', 'zh-CN'] as const;
export type DocumentLanguage = (typeof DOCUMENT_LANGUAGES)[number];

export interface DocumentOptions {
  readonly lang: DocumentLanguage;
  /** An IANA time zone (`Asia/Shanghai`); dates are shown in it, with its name. */
  readonly timeZone: string;
}

export const DEFAULT_DOCUMENT: DocumentOptions = { lang: 'en', timeZone: 'UTC' };

export const isDocumentLanguage = (value: string): value is DocumentLanguage => (DOCUMENT_LANGUAGES as readonly string[]).includes(value);

/** Whether Intl knows the time zone (an unknown one would throw when formatting). */
export function isTimeZone(value: string): boolean {
  if (value.length === 0 || value.length > 64) return false;
  try {
    new Intl.DateTimeFormat('en', { timeZone: value });
    return true;
  } catch {
    return false;
  }
}

export const escapeHtml = (value: string): string =>
  value.replaceAll('&', '&amp;').replaceAll('<', '&lt;').replaceAll('>', '&gt;').replaceAll('"', '&quot;').replaceAll("'", '&#39;');

/** "4 December 2026, 18:05 (China Standard Time)" / "2026年12月4日 18:05（中国标准时间）"; a date alone without a time. */
export function formatWhen(value: string | null | undefined, options: DocumentOptions): string {
  if (!value) return '';
  const dateOnly = /^\d{4}-\d{2}-\d{2}$/u.test(value);
  const date = new Date(dateOnly ? `${value}T00:00:00.000Z` : value);
  if (Number.isNaN(date.getTime())) return value;
  if (dateOnly) return new Intl.DateTimeFormat(options.lang, { dateStyle: 'long', timeZone: 'UTC' }).format(date);
  const when = new Intl.DateTimeFormat(options.lang, { dateStyle: 'long', timeStyle: 'short', timeZone: options.timeZone }).format(date);
  const zone =
    new Intl.DateTimeFormat(options.lang, { timeZone: options.timeZone, timeZoneName: 'long' }).formatToParts(date).find((p) => p.type === 'timeZoneName')
      ?.value ?? options.timeZone;
  return options.lang === 'zh-CN' ? `${when}（${zone}）` : `${when} (${zone})`;
}

type Words = Readonly<Record<string, readonly [en: string, zh: string]>>;

const VOCABULARY: Readonly<Record<string, Words>> = {
  profileField: {
    name: ['Name', '姓名'],
    email: ['E-mail address', '电子邮箱'],
    phone: ['Phone number', '电话号码'],
    birthDate: ['Date of birth', '出生日期'],
    address: ['Address', '地址'],
    idNumber: ['Identity document number', '身份证件号码'],
    bankAccount: ['Bank account', '银行账户'],
    healthNotes: ['Health notes', '健康信息'],
  },
  channel: {
    email: ['E-mail', '电子邮件'],
    sms: ['Text message', '短信'],
    phone: ['Phone', '电话'],
    whatsapp: ['WhatsApp', 'WhatsApp'],
    wechat: ['WeChat', '微信'],
    'in-app': ['In the app', '应用内'],
    postal: ['Post', '邮寄'],
    web: ['Website', '网站'],
    letter: ['Letter', '信件'],
    'in-person': ['In person', '当面'],
  },
  kind: {
    collect: ['Collected', '收集'],
    store: ['Stored', '存储'],
    use: ['Used', '使用'],
    read: ['Looked at', '查阅'],
    export: ['Exported', '导出'],
    transmit: ['Sent', '传输'],
    provide: ['Provided to another company', '向第三方提供'],
    transfer: ['Transferred abroad', '跨境传输'],
    correct: ['Corrected', '更正'],
    restrict: ['Restricted', '限制处理'],
    delete: ['Deleted', '删除'],
    decision: ['Checked whether processing is allowed', '处理许可判断'],
  },
  legalBasis: {
    consent: ['Your consent', '您的同意'],
    contract: ['A contract with you', '与您订立的合同'],
    'legal-obligation': ['A legal obligation', '法定义务'],
    'vital-interests': ['Vital interests', '重大利益'],
    'public-task': ['A task in the public interest', '公共利益职责'],
    'legitimate-interests': ['Legitimate interests', '正当利益'],
    'news-reporting': ['News reporting', '新闻报道'],
    'publicly-disclosed': ['Information already made public', '已公开的信息'],
  },
  /** The same bases as a regulator names them (the register). */
  legalBasisFormal: {
    consent: ['Consent (GDPR 6(1)(a); PIPL 13(1))', '同意（GDPR 6(1)(a)；PIPL 13(1)）'],
    contract: ['Contract (GDPR 6(1)(b); PIPL 13(2))', '订立、履行合同所必需（GDPR 6(1)(b)；PIPL 13(2)）'],
    'legal-obligation': ['Legal obligation (GDPR 6(1)(c); PIPL 13(3))', '履行法定职责或义务（GDPR 6(1)(c)；PIPL 13(3)）'],
    'vital-interests': ['Vital interests (GDPR 6(1)(d); PIPL 13(4))', '保护生命健康和财产安全（GDPR 6(1)(d)；PIPL 13(4)）'],
    'public-task': ['Public task (GDPR 6(1)(e))', '公共利益职责（GDPR 6(1)(e)）'],
    'legitimate-interests': ['Legitimate interests (GDPR 6(1)(f))', '正当利益（GDPR 6(1)(f)）'],
    'news-reporting': ['News reporting in the public interest (PIPL 13(5))', '为公共利益实施新闻报道（PIPL 13(5)）'],
    'publicly-disclosed': ['Information already lawfully disclosed (PIPL 13(6))', '处理已合法公开的个人信息（PIPL 13(6)）'],
  },
  category: {
    contact: ['contact details', '联系方式'],
    identity: ['identity', '身份信息'],
    profile: ['profile', '个人资料'],
    behaviour: ['behaviour', '行为信息'],
    transactions: ['transactions', '交易信息'],
    communications: ['communications', '通信内容'],
    'specific-identity': ['specific identity (sensitive)', '特定身份（敏感）'],
    'financial-account': ['financial account (sensitive)', '金融账户（敏感）'],
    'medical-health': ['medical and health (sensitive)', '医疗健康（敏感）'],
    biometric: ['biometric (sensitive)', '生物识别（敏感）'],
    'religious-belief': ['religious belief (sensitive)', '宗教信仰（敏感）'],
    whereabouts: ['whereabouts (sensitive)', '行踪轨迹（敏感）'],
    consent: ['consents', '同意记录'],
    'processing-record': ['processing record', '处理记录'],
    'subject-key': ['encryption key', '加密密钥'],
  },
  consentAction: {
    granted: ['Consent given', '已同意'],
    withdrawn: ['Consent withdrawn', '已撤回同意'],
  },
  scope: {
    general: ['General', '一般'],
    sensitive: ['Sensitive information', '敏感个人信息'],
    'third-party': ['Providing to a third party', '向第三方提供'],
    'cross-border': ['Transfer abroad', '跨境传输'],
  },
  requestType: {
    access: ['Access to your data', '查阅、复制'],
    correction: ['Correction', '更正'],
    deletion: ['Deletion', '删除'],
    withdrawal: ['Withdrawal of consent', '撤回同意'],
    restriction: ['Restriction of processing', '限制处理'],
  },
  requestStatus: {
    received: ['Received', '已收到'],
    verifying: ['Checking your identity', '身份核验中'],
    verified: ['Identity checked', '身份已核验'],
    'in-progress': ['In progress', '处理中'],
    completed: ['Completed', '已完成'],
    rejected: ['Rejected', '已拒绝'],
  },
};

export type Vocabulary = keyof typeof VOCABULARY;

/** The word for a code, or the code itself when there is none. */
export function wordFor(vocabulary: Vocabulary, code: string, lang: DocumentLanguage): string {
  const words = VOCABULARY[vocabulary]?.[code];
  return words ? words[lang === 'zh-CN' ? 1 : 0] : code;
}

/**
 * Who acted, as a role: people are never named in these documents, and
 * internal key ids mean nothing to a reader.
 */
export function actorRole(actor: string | null | undefined, lang: DocumentLanguage): string {
  const zh = lang === 'zh-CN';
  const prefix = (actor ?? '').split(':')[0];
  switch (prefix) {
    case 'user':
      return zh ? '机构的工作人员' : 'a member of staff of the organisation';
    case 'apiKey':
      return zh ? '机构的自动化服务' : 'an automated service of the organisation';
    case 'system':
      return zh ? '系统' : 'the system itself';
    case 'operator':
      return zh ? '平台运营方' : 'the platform operator';
    default:
      return zh ? '机构' : 'the organisation';
  }
}
