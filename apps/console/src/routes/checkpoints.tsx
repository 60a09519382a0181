// The signed checkpoints of the processing record, newest first; the server's own verification
// (an alarm when it failed); and, for two checkpoints chosen in the URL (`from`, `to`), the
// in-browser check that the log only grew between them (RFC 6962 consistency proof).
import { useInfiniteQuery, useMutation, useQueries, useQuery, useQueryClient } from '@tanstack/react-query';
import { getRouteApi } from '@tanstack/react-router';
import { useId } from 'react';
import { api, unwrap } from '../api/client';
import { CHECKPOINT_PAGE, checkpointHistoryQuery, checkpointsOfSizeQuery, logInfoQuery, sessionQuery, verificationRunsQuery } from '../api/queries';
import {
  chosenSizes,
  consistencyCommand,
  newestFirst,
  selectPair,
  serverVerificationState,
  knownCheckpoints,
  type CheckpointView,
  type CheckpointsSearch,
  type Pair,
  type VerificationRun,
} from '../checkpoints/checkpoints';
import { DateTime } from '../components/DateTime';
import { ErrorBox } from '../components/ErrorBox';
import { Fact } from '../components/Fact';
import { StepsList } from '../components/StepsList';
import { useDocumentTitle } from '../components/use-document-title';
import { useI18n } from '../i18n/context';
import { verifyConsistencyBetween, type Verification } from '../verify/verify-entry';

const route = getRouteApi('/checkpoints');

/** Problems of a failed server verification listed here (the report counts them all). */
const LISTED_PROBLEMS = 20;

export function CheckpointsPage() {
  const { t } = useI18n();
  useDocumentTitle(t('checkpoints.title'));
  const search = route.useSearch();
  const query = useInfiniteQuery(checkpointHistoryQuery);
  const loaded = query.data?.pages.flatMap((page) => page.checkpoints);
  // A size chosen in the address that the loaded pages do not hold is fetched on its own.
  const beyond = loaded === undefined ? [] : [search.from, search.to].filter((size) => size !== undefined && !loaded.some((c) => c.size === size));
  const chosen = useQueries({ queries: beyond.flatMap((size) => (size === undefined ? [] : [checkpointsOfSizeQuery(size)])) });
  const checkpoints =
    loaded === undefined || chosen.some((c) => c.isPending)
      ? undefined
      : knownCheckpoints(
          loaded,
          chosen.map((c) => c.data ?? []),
        );
  return (
    <div className="page">
      <h1>{t('checkpoints.title')}</h1>
      <p className="lead">{t('checkpoints.intro')}</p>
      <ServerVerification />
      <section className="card" aria-labelledby="checkpoints-history">
        <h2 id="checkpoints-history">{t('checkpoints.historyTitle')}</h2>
        {query.isPending && (
          <p className="muted" role="status">
            {t('app.loading')}
          </p>
        )}
        {query.isError && (
          <ErrorBox
            error={query.error}
            onRetry={() => {
              void query.refetch();
            }}
          />
        )}
        {checkpoints && <CheckpointsTable checkpoints={checkpoints} search={search} />}
        {query.hasNextPage && (
          <p>
            <button
              type="button"
              className="button secondary"
              disabled={query.isFetchingNextPage}
              onClick={() => {
                void query.fetchNextPage();
              }}
            >
              {query.isFetchingNextPage ? t('app.loading') : t('checkpoints.showOlder', { count: CHECKPOINT_PAGE })}
            </button>
          </p>
        )}
      </section>
      {checkpoints && <ConsistencyPanel pair={selectPair(checkpoints, search)} />}
    </div>
  );
}

/** The server's verification (it recomputes the tree from the stored bodies), run when the page opens and on demand. */
function ServerVerification() {
  const { t } = useI18n();
  const queryClient = useQueryClient();
  const query = useQuery(verificationRunsQuery);
  const run = useMutation({
    mutationFn: () => unwrap(api.POST('/v1/processing-record/verification-runs')),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: verificationRunsQuery.queryKey }),
  });
  const runs = query.data;
  const latest = runs?.[0];
  const state = latest ? serverVerificationState(latest.report) : runs ? 'never-run' : undefined;
  return (
    <section className="card" aria-labelledby="checkpoints-server" data-server-verification={state ?? (query.isError ? 'error' : 'loading')}>
      <h2 id="checkpoints-server">{t('checkpoints.serverTitle')}</h2>
      <p className="muted">{t('checkpoints.serverHint')}</p>
      {query.isPending && (
        <p className="muted" role="status">
          {t('app.loading')}
        </p>
      )}
      {query.isError && (
        <ErrorBox
          error={query.error}
          onRetry={() => {
            void query.refetch();
          }}
        />
      )}
      {state === 'never-run' && (
        <p className="notice" role="status">
          {t('checkpoints.serverNeverRun')}
        </p>
      )}
      {latest && <RunResult run={latest} />}
      {run.isError && <ErrorBox error={run.error} />}
      {runs && (
        <button
          type="button"
          className="button secondary"
          disabled={run.isPending}
          onClick={() => {
            run.mutate();
          }}
        >
          {run.isPending ? t('checkpoints.serverRunning') : t('checkpoints.serverRunNow')}
        </button>
      )}
      {runs && runs.length > 1 && <EarlierRuns runs={runs.slice(1)} />}
    </section>
  );
}

/** Who or what ran a verification: the daily job, or a person. */
function RunBy({ run }: { readonly run: VerificationRun }) {
  const { t } = useI18n();
  return run.requestedBy === null ? <>{t('checkpoints.runScheduled')}</> : <span className="mono">{run.requestedBy}</span>;
}

function RunResult({ run }: { readonly run: VerificationRun }) {
  const { t } = useI18n();
  const report = run.report;
  const state = serverVerificationState(report);
  return (
    <>
      {state === 'failed' && (
        <div className="notice failure" role="alert">
          <p>{t('checkpoints.serverFailed', { count: run.problemCount })}</p>
          {report.problems.length > 0 && (
            <ul>
              {report.problems.slice(0, LISTED_PROBLEMS).map((problem, i) => (
                <li key={`${String(i)}-${problem}`}>{problem}</li>
              ))}
            </ul>
          )}
          {run.problemCount > LISTED_PROBLEMS && <p>{t('checkpoints.serverMoreProblems', { count: run.problemCount - LISTED_PROBLEMS })}</p>}
        </div>
      )}
      {state === 'passed' && (
        <p className="notice success" role="status">
          {t('checkpoints.serverPassed', { size: report.size, checkpoints: report.checkpointsChecked })}
        </p>
      )}
      {state === 'nothing-signed' && (
        <p className="notice" role="status">
          {t('checkpoints.serverNothingSigned')}
        </p>
      )}
      <dl className="facts">
        <Fact label={t('checkpoints.serverCheckedAt')}>
          <DateTime value={run.finishedAt} />
        </Fact>
        <Fact label={t('checkpoints.runBy')}>
          <RunBy run={run} />
        </Fact>
        <Fact label={t('checkpoints.entries')} mono>
          {report.size}
        </Fact>
        <Fact label={t('checkpoints.purged')} mono>
          {report.purged}
        </Fact>
        <Fact label={t('checkpoints.checkpointsChecked')} mono>
          {report.checkpointsChecked}
        </Fact>
        <Fact label={t('checkpoints.latestSigned')} mono>
          {report.latestCheckpoint === null
            ? t('checkpoints.none')
            : t('checkpoints.sizeRoot', { size: report.latestCheckpoint.size, root: report.latestCheckpoint.root })}
        </Fact>
        <Fact label={t('checkpoints.uncovered')} mono>
          {report.uncovered}
        </Fact>
        <Fact label={t('checkpoints.pending')} mono>
          {report.pending}
        </Fact>
      </dl>
    </>
  );
}

function EarlierRuns({ runs }: { readonly runs: readonly VerificationRun[] }) {
  const { t } = useI18n();
  return (
    <details className="earlier-runs">
      <summary>{t('checkpoints.earlierRuns', { count: runs.length })}</summary>
      <table className="dense">
        <caption className="visually-hidden">{t('checkpoints.earlierRuns', { count: runs.length })}</caption>
        <thead>
          <tr>
            <th scope="col">{t('checkpoints.serverCheckedAt')}</th>
            <th scope="col">{t('checkpoints.runBy')}</th>
            <th scope="col">{t('checkpoints.runResult')}</th>
            <th scope="col" className="num">
              {t('checkpoints.entries')}
            </th>
          </tr>
        </thead>
        <tbody>
          {runs.map((run) => (
            <tr key={run.runId} data-run-ok={run.report.ok ? 'yes' : 'no'}>
              <td>
                <DateTime value={run.finishedAt} style="compact" />
              </td>
              <td>
                <RunBy run={run} />
              </td>
              <td>{run.report.ok ? t('checkpoints.runPassed') : t('checkpoints.runFailed', { count: run.problemCount })}</td>
              <td className="num mono">{run.report.size}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </details>
  );
}

function CheckpointsTable({ checkpoints, search }: { readonly checkpoints: readonly CheckpointView[]; readonly search: CheckpointsSearch }) {
  const { t } = useI18n();
  const id = useId();
  const navigate = route.useNavigate();
  if (checkpoints.length === 0) return <p className="notice">{t('checkpoints.empty')}</p>;
  const newest = newestFirst(checkpoints);
  const { from, to } = chosenSizes(checkpoints, search);
  // A size signed more than once is chosen by its newest row only.
  const firstRowOfSize = new Set(newest.map((c) => c.size).map((size) => newest.findIndex((c) => c.size === size)));
  const choose = (which: 'from' | 'to', size: number) => {
    void navigate({ search: (previous) => ({ ...chosenSizes(checkpoints, previous), [which]: size }), resetScroll: false });
  };
  return (
    <>
      <p className="muted">{t('checkpoints.pickHint')}</p>
      <div className="table-scroll" role="region" aria-labelledby={`${id}-caption`} tabIndex={0}>
        <table className="dense" data-checkpoints={checkpoints.length}>
          <caption id={`${id}-caption`}>{t('checkpoints.tableCaption', { count: checkpoints.length })}</caption>
          <thead>
            <tr>
              <th scope="col">{t('checkpoints.older')}</th>
              <th scope="col">{t('checkpoints.newer')}</th>
              <th scope="col" className="num">
                {t('checkpoints.size')}
              </th>
              <th scope="col">{t('checkpoints.root')}</th>
              <th scope="col">{t('checkpoints.signedAt')}</th>
            </tr>
          </thead>
          <tbody>
            {newest.map((c) => {
              const pickable = firstRowOfSize.has(newest.indexOf(c));
              return (
                <tr key={`${String(c.size)}-${c.createdAt}`} data-size={c.size}>
                  <td>
                    {pickable && (
                      <input
                        type="radio"
                        name="checkpoint-older"
                        value={c.size}
                        checked={from === c.size}
                        aria-label={t('checkpoints.pickOlder', { size: c.size })}
                        onChange={() => {
                          choose('from', c.size);
                        }}
                      />
                    )}
                  </td>
                  <td>
                    {pickable && (
                      <input
                        type="radio"
                        name="checkpoint-newer"
                        value={c.size}
                        checked={to === c.size}
                        aria-label={t('checkpoints.pickNewer', { size: c.size })}
                        onChange={() => {
                          choose('to', c.size);
                        }}
                      />
                    )}
                  </td>
                  <th scope="row" className="num mono">
                    {c.size}
                  </th>
                  <td className="mono">{c.root}</td>
                  <td>
                    <DateTime value={c.createdAt} />
                  </td>
                </tr>
              );
            })}
          </tbody>
        </table>
      </div>
    </>
  );
}

interface ConsistencyResult {
  readonly from: number;
  readonly to: number;
  readonly verification: Verification;
  readonly verifierKey: string;
}

/** What the check fetches, then verifies here: the log's key and origin, and the consistency proof between the two sizes. */
async function verifyGrowth(older: CheckpointView, newer: CheckpointView): Promise<ConsistencyResult> {
  const log = await unwrap(api.GET('/v1/processing-record'));
  const proof = await unwrap(api.GET('/v1/processing-record/proofs/consistency', { params: { query: { from: older.size, to: newer.size } } }));
  const verification = await verifyConsistencyBetween(older.note, newer.note, proof, log.verifierKey, log.origin);
  return { from: older.size, to: newer.size, verification, verifierKey: log.verifierKey };
}

function pairProblem(pair: Exclude<Pair, { kind: 'ready' }>, t: ReturnType<typeof useI18n>['t']): string {
  switch (pair.kind) {
    case 'incomplete':
      return t('checkpoints.pairIncomplete');
    case 'unknown':
      return t('checkpoints.pairUnknown', { size: pair.size });
    case 'order':
      return t('checkpoints.pairOrder', { from: pair.from, to: pair.to });
  }
}

/**
 * "Verify that the log only grew": the Ed25519 signatures of both checkpoints and the RFC 6962
 * consistency proof between their roots, checked in this browser (src/verify), every step shown.
 */
function ConsistencyPanel({ pair }: { readonly pair: Pair }) {
  const { t } = useI18n();
  const { data: session } = useQuery(sessionQuery);
  const { data: log } = useQuery(logInfoQuery);
  const check = useMutation({
    mutationFn: () => (pair.kind === 'ready' ? verifyGrowth(pair.older, pair.newer) : Promise.reject(new Error(pairProblem(pair, t)))),
  });
  // A result is shown only for the pair it was made for.
  const result =
    check.data !== undefined && pair.kind === 'ready' && check.data.from === pair.older.size && check.data.to === pair.newer.size ? check.data : undefined;
  return (
    <section className="card" aria-labelledby="checkpoints-verify">
      <h2 id="checkpoints-verify">{t('checkpoints.verifyTitle')}</h2>
      <p className="muted">{t('checkpoints.verifyIntro')}</p>
      {pair.kind === 'ready' ? (
        <p data-pair={`${String(pair.older.size)}-${String(pair.newer.size)}`}>{t('checkpoints.pairReady', { from: pair.older.size, to: pair.newer.size })}</p>
      ) : (
        <p className="notice warning">{pairProblem(pair, t)}</p>
      )}
      <button
        type="button"
        className="button primary"
        disabled={check.isPending || pair.kind !== 'ready'}
        onClick={() => {
          check.mutate();
        }}
      >
        {check.isPending ? t('entry.verifyRunning') : t('checkpoints.verifyRun')}
      </button>
      {check.isError && <ErrorBox error={check.error} />}
      {result && (
        <>
          <p className={result.verification.ok ? 'notice success' : 'notice failure'} role="status" data-verified={result.verification.ok ? 'yes' : 'no'}>
            {result.verification.ok ? t('checkpoints.verifyPassed', { from: result.from, to: result.to }) : t('checkpoints.verifyFailed')}
          </p>
          <StepsList steps={result.verification.steps} />
        </>
      )}
      {pair.kind === 'ready' && (
        <details>
          <summary>{t('checkpoints.olderNote', { size: pair.older.size })}</summary>
          <pre className="code-block" tabIndex={0}>
            <code>{pair.older.note}</code>
          </pre>
        </details>
      )}
      <p className="muted">{t('checkpoints.verifyCommand')}</p>
      <pre className="code-block" tabIndex={0}>
        <code>{consistencyCommand(session?.tenantId, result?.verifierKey ?? log?.verifierKey)}</code>
      </pre>
    </section>
  );
}
