import { actorRole, DEFAULT_DOCUMENT, escapeHtml, formatWhen, wordFor, type DocumentOptions } from '@attest/kernel';
import type { AccessExport } from './ports';

/** Export values are JSON data: text as is, anything else as JSON. */
const text = (value: unknown): string => (typeof value === 'string' ? value : value === undefined || value === null ? '' : JSON.stringify(value));
const esc = (value: unknown): string => escapeHtml(text(value));
const record = (value: unknown): Readonly<Record<string, unknown>> =>
  typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : {};
const strings = (value: unknown): string[] => (Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : []);

/** Label: value rows, for one thing at a time (nothing wider than the page). */
function rows(pairs: readonly (readonly [string, string])[]): string {
  const shown = pairs.filter(([, v]) => v !== '');
  return `<table class="rows">${shown.map(([k, v]) => `<tr><th scope="row">${escapeHtml(k)}</th><td>${v}</td></tr>`).join('')}</table>`;
}

/**
 * D1: the access export as a page for the person it is about (English or
 * Simplified Chinese, dates in their time zone): labelled lines instead of
 * codes and JSON, the actor as a role, printable on A4. Every value is
 * escaped; no scripts, no external resources.
 */
export function accessExportHtml(e: AccessExport, options: DocumentOptions = DEFAULT_DOCUMENT): string {
  const { lang } = options;
  const t = (en: string, zh: string): string => (lang === 'zh-CN' ? zh : en);
  const when = (v: unknown): string => escapeHtml(formatWhen(typeof v === 'string' ? v : null, options));
  const none = `<p class="none">${t('None.', '无。')}</p>`;
  const yes = (b: boolean): string => (b ? t('yes', '是') : t('no', '否'));

  const profile = rows(
    Object.entries(e.subject.profile).map(
      ([field, value]) => [wordFor('profileField', field, lang), field === 'birthDate' ? when(value) : esc(value)] as const,
    ),
  );
  const followUps =
    e.followUps.length === 0
      ? none
      : e.followUps
          .map(
            (f) =>
              `<section class="item"><h3>${when(f['recordedAt'])} · ${esc(wordFor('channel', text(f['channel']), lang))}</h3>${rows([
                [t('Note', '记录'), esc(f['note'])],
                [t('Follow up by', '跟进日期'), when(f['dueOn'])],
              ])}</section>`,
          )
          .join('');
  const consents =
    e.consents.length === 0
      ? none
      : e.consents
          .map((c) => {
            const purpose = record(c['purpose']);
            const evidence = record(c['evidence']);
            const withdrawal = record(c['withdrawal']);
            const crossBorder = record(c['crossBorder']);
            return `<section class="item"><h3>${esc(wordFor('consentAction', text(c['action']), lang))} · ${esc(text(purpose['name']) || text(purpose['key']))}</h3>${rows(
              [
                [t('When', '时间'), when(c['recordedAt'])],
                [t('Channel', '渠道'), esc(wordFor('channel', text(c['channel']), lang))],
                [t('Kind of consent', '同意类型'), esc(wordFor('scope', text(c['scope']), lang))],
                [t('Legal basis', '法律依据'), esc(purpose['legalBasis'] ? wordFor('legalBasis', text(purpose['legalBasis']), lang) : '')],
                [t('Third party', '第三方'), esc(c['thirdParty'])],
                [
                  t('Recipient abroad', '境外接收方'),
                  crossBorder['recipient'] ? esc(`${text(crossBorder['recipient'])} (${text(crossBorder['country'])})`) : '',
                ],
                [t('Notice you were shown', '告知文本版本'), esc(evidence['noticeVersion'])],
                [t('How you consented', '同意方式'), esc(evidence['method'])],
                [t('Where', '来源'), esc(evidence['source'])],
                [t('Collected at', '收集时间'), when(evidence['collectedAt'])],
                [t('How you withdrew', '撤回方式'), withdrawal['method'] ? esc(`${text(withdrawal['method'])} (${text(withdrawal['source'])})`) : ''],
                [t('Given by your guardian', '由监护人作出'), c['givenByGuardian'] ? yes(true) : ''],
              ],
            )}</section>`;
          })
          .join('');
  const processing =
    e.processing.length === 0
      ? none
      : `<table class="list"><thead><tr><th>${t('When', '时间')}</th><th>${t('What was done', '处理行为')}</th><th>${t('Why', '目的')}</th><th>${t('Which data', '数据类别')}</th><th>${t('On what basis', '法律依据')}</th><th>${t('By whom', '处理者')}</th></tr></thead><tbody>${e.processing
          .map(
            (p) =>
              `<tr><td>${when(p['at'])}</td><td>${esc(wordFor('kind', text(p['kind']), lang))}${p['channel'] ? ` · ${esc(wordFor('channel', text(p['channel']), lang))}` : ''}</td><td>${esc(p['purpose'])}</td><td>${esc(
                strings(p['categories'])
                  .map((c) => wordFor('category', c, lang))
                  .join(', '),
              )}</td><td>${esc(p['legalBasis'] ? wordFor('legalBasis', text(p['legalBasis']), lang) : '')}</td><td>${esc(actorRole(text(p['actor']), lang))}</td></tr>`,
          )
          .join('')}</tbody></table>`;
  const requests =
    e.requests.length === 0
      ? none
      : e.requests
          .map(
            (r) =>
              `<section class="item"><h3>${esc(wordFor('requestType', r.requestType, lang))} · ${esc(wordFor('requestStatus', r.status, lang))}</h3>${rows([
                [t('Received', '收到时间'), when(r.receivedAt)],
                [t('Due', '答复期限'), when(r.dueOn)],
                [t('Closed', '完成时间'), when(r.closedAt)],
              ])}</section>`,
          )
          .join('');

  return `<!doctype html>
<html lang="${lang}"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>${t('The personal data we hold about you', '我们持有的您的个人信息')}</title>
<style>
body{font:15px/1.5 system-ui,"Noto Sans CJK SC","PingFang SC",sans-serif;margin:2em auto;max-width:48em;padding:0 1em;color:#111}
h1{font-size:1.6em}h2{font-size:1.25em;border-bottom:1px solid #ccc;padding-bottom:.2em;margin-top:1.8em}h3{font-size:1em;margin:.8em 0 .3em}
table{border-collapse:collapse;width:100%;table-layout:fixed}th,td{padding:.3em .5em;text-align:left;vertical-align:top;overflow-wrap:anywhere}
table.rows th{width:32%;font-weight:600;color:#333}table.rows tr+tr>*{border-top:1px solid #eee}
table.list{font-size:.9em}table.list th{background:#f2f2f2}table.list td,table.list th{border:1px solid #ccc}
.item{break-inside:avoid}.none{color:#555}.meta{color:#444}
@media print{@page{size:A4;margin:1.5cm}body{margin:0;max-width:none;font-size:11pt}}
</style>
</head><body>
<h1>${t('The personal data we hold about you', '我们持有的您的个人信息')}</h1>
<p class="meta">${t('Produced', '生成时间')} ${when(e.generatedAt)} · ${t('for request', '请求编号')} ${esc(e.requestId)} · ${t('your reference', '您的编号')} ${esc(e.subject.customerId)}</p>
<h2>${t('Your details', '您的资料')}</h2>
${profile}
${rows([
  [t('Tags', '标签'), esc(e.subject.tags.join(', ') || t('none', '无'))],
  [t('Under 14', '未满十四周岁'), yes(e.subject.under14)],
  [t('Processing restricted', '已限制处理'), yes(e.subject.restricted)],
  [t('With us since', '建档时间'), when(e.subject.createdAt)],
])}
<h2>${t('Notes of our contacts with you', '与您联系的记录')}</h2>
${followUps}
<h2>${t('Your consents and withdrawals', '您的同意与撤回')}</h2>
${consents}
<h2>${t('How your data was processed', '您的信息如何被处理')}</h2>
${processing}
<h2>${t('Your requests', '您提出的请求')}</h2>
${requests}
</body></html>
`;
}
