// A request's timeline from its own events (GET …/timeline) and the comment box between handlers.
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useId, useState, type SubmitEvent } from 'react';
import { api, unwrap } from '../api/client';
import type { components } from '../api/schema';
import { useI18n } from '../i18n/context';
import type { MessageKey } from '../i18n';
import { timelineQuery } from '../requests/queries';
import { DateTime } from './DateTime';
import { ErrorBox } from './ErrorBox';

type Entry = components['schemas']['TimelineEntry'];

/** The facts a line shows, in this order, each under its label; ids that mean nothing to a person are left out. */
const SHOWN_FACTS = [
  'type',
  'channel',
  'relation',
  'dueOn',
  'fields',
  'purposes',
  'expiresAt',
  'method',
  'handler',
  'covered',
  'retained',
  'certificateId',
  'documentId',
  'step',
  'code',
  'complaint',
] as const;
type ShownFact = (typeof SHOWN_FACTS)[number];
const INSTANT_FACTS: ReadonlySet<ShownFact> = new Set(['expiresAt']);
const MONO_FACTS: ReadonlySet<ShownFact> = new Set(['handler', 'certificateId', 'documentId', 'code']);

function Facts({ entry }: { readonly entry: Entry }) {
  const { t } = useI18n();
  const shown = SHOWN_FACTS.filter((name) => entry.facts[name] !== undefined);
  if (shown.length === 0) return null;
  return (
    <dl className="timeline-facts">
      {shown.map((name) => {
        const value = entry.facts[name] ?? '';
        return (
          <div key={name}>
            <dt>{t(`timeline.fact.${name}` satisfies MessageKey)}</dt>
            <dd className={MONO_FACTS.has(name) ? 'mono' : undefined}>{INSTANT_FACTS.has(name) ? <DateTime value={value} /> : value}</dd>
          </div>
        );
      })}
    </dl>
  );
}

/** The timeline card; `canComment` shows the comment box (the API refuses it without `requests:manage`). */
export function RequestTimeline({ requestId, canComment }: { readonly requestId: string; readonly canComment: boolean }) {
  const { t } = useI18n();
  const id = useId();
  const queryClient = useQueryClient();
  const timeline = useQuery(timelineQuery(requestId));
  const [text, setText] = useState('');
  const comment = useMutation({
    mutationFn: (body: { text: string }) => unwrap(api.POST('/v1/data-subject-requests/{requestId}/comments', { params: { path: { requestId } }, body })),
    onSuccess: async () => {
      setText('');
      await queryClient.invalidateQueries({ queryKey: timelineQuery(requestId).queryKey });
    },
  });
  const submit = (event: SubmitEvent<HTMLFormElement>) => {
    event.preventDefault();
    comment.mutate({ text });
  };
  return (
    <section className="card" aria-labelledby={`${id}-title`} aria-busy={timeline.isFetching}>
      <h2 id={`${id}-title`}>{t('request.timeline')}</h2>
      {timeline.isPending && (
        <p className="muted" role="status">
          {t('app.loading')}
        </p>
      )}
      {timeline.isError && <ErrorBox error={timeline.error} onRetry={() => void timeline.refetch()} />}
      {timeline.data && (
        <ol className="timeline" data-timeline={timeline.data.entries.length}>
          {timeline.data.entries.map((entry, i) => (
            <li
              key={`${entry.kind}-${String(entry.revision ?? `d${String(i)}`)}`}
              data-kind={entry.kind}
              className={entry.kind === 'commented' ? 'timeline-comment' : undefined}
            >
              <DateTime value={entry.at} /> — <strong>{t(`timeline.kind.${entry.kind}` satisfies MessageKey)}</strong>
              {entry.actor !== null && (
                <>
                  {' '}
                  <span className="muted">
                    {t('timeline.by')} <span className="mono">{entry.actor}</span>
                  </span>
                </>
              )}
              {entry.text !== null && <p className="timeline-text">{entry.text}</p>}
              <Facts entry={entry} />
            </li>
          ))}
        </ol>
      )}
      {canComment && (
        <form onSubmit={submit} className="comment-form">
          <label htmlFor={`${id}-comment`}>{t('timeline.comment')}</label>
          <textarea
            id={`${id}-comment`}
            value={text}
            rows={3}
            maxLength={2000}
            aria-describedby={`${id}-comment-hint`}
            onChange={(event) => {
              setText(event.target.value);
            }}
          />
          <p id={`${id}-comment-hint`} className="muted small">
            {t('timeline.commentHint')}
          </p>
          {comment.isError && <ErrorBox error={comment.error} />}
          <button type="submit" disabled={comment.isPending || text.trim() === ''}>
            {t('timeline.commentSubmit')}
          </button>
        </form>
      )}
    </section>
  );
}
