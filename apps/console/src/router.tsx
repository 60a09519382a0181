// The console's routes (code-based). Every view's state is in its URL (validated by
// validateSearch), so views can be shared and the back button works.
import type { QueryClient } from '@tanstack/react-query';
import { createRootRouteWithContext, createRoute, createRouter, lazyRouteComponent, notFound, redirect, type ParsedLocation } from '@tanstack/react-router';
import { CONSOLE_BASE, CONSOLE_HOME, consolePath } from './api/navigation';
import { sessionQuery } from './api/queries';
import type { ConsoleSession } from './api/session';
import { parseCheckpointsSearch } from './checkpoints/checkpoints';
import { parseConsentSearch } from './consent/consent';
import { parseIncidentId, parseIncidentsSearch } from './incidents/search';
import { parseRecordsSearch } from './records/search';
import { isUuid } from './registers/activity';
import { parseActivitiesSearch, parseActivitySearch, parseAssessmentsSearch } from './registers/search';
import { parseEntryIndex, parseSignInSearch, parseStepUpSearch } from './routes/auth-search';
import { HomePage } from './routes/home';
import { NotFoundPage } from './routes/not-found';
import { RecordsPage } from './routes/records';
import { parseAccountId, parseAccountsSearch, parseNotificationsSearch } from './platform/search';
import { queueQuery } from './requests/queries';
import { parseQueueSearch, parseRequestId, queueFilter } from './requests/search';
import { PendingPage, RootLayout, RouteErrorPage } from './routes/root';
import { SignInPage, StepUpPage } from './routes/sign-in';
import { parseSearchString, stringifySearchObject } from './search-params';

export interface RouterContext {
  readonly queryClient: QueryClient;
}

/**
 * Pages with data need a session; without one the browser goes to the sign-in page, which
 * comes back here afterwards. (Sign-in and step-up never ask for the session: no loops.)
 */
async function requireSession({ context, location }: { context: RouterContext; location: ParsedLocation }): Promise<{ session: ConsoleSession }> {
  // A cached session is trusted (an ended one shows as a 401 on the next call); "no session" is asked again.
  const session = context.queryClient.getQueryData(sessionQuery.queryKey) ?? (await context.queryClient.query({ ...sessionQuery, staleTime: 0 }));
  if (session === null) {
    const returnTo = consolePath(location.href);
    throw redirect({ to: '/sign-in', search: returnTo === CONSOLE_HOME ? {} : { returnTo } });
  }
  return { session };
}

const rootRoute = createRootRouteWithContext<RouterContext>()({
  component: RootLayout,
  notFoundComponent: NotFoundPage,
  errorComponent: RouteErrorPage,
  pendingComponent: PendingPage,
});

const homeRoute = createRoute({
  getParentRoute: () => rootRoute,
  path: '/',
  beforeLoad: requireSession,
  component: HomePage,
});

const signInRoute = createRoute({
  getParentRoute: () => rootRoute,
  path: 'sign-in',
  validateSearch: parseSignInSearch,
  component: SignInPage,
});

const stepUpRoute = createRoute({
  getParentRoute: () => rootRoute,
  path: 'step-up',
  validateSearch: parseStepUpSearch,
  component: StepUpPage,
});

const recordsRoute = createRoute({
  getParentRoute: () => rootRoute,
  path: 'records',
  validateSearch: parseRecordsSearch,
  beforeLoad: requireSession,
  component: RecordsPage,
});

const entryRoute = createRoute({
  getParentRoute: () => rootRoute,
  path: 'records/$index',
  beforeLoad: async (options) => {
    if (parseEntryIndex(options.params.index) === null) throw notFound();
    return requireSession(options);
  },
  // Its own chunk: the in-browser verification will live on this page.
  component: lazyRouteComponent(() => import('./routes/entry'), 'EntryPage'),
});

const checkpointsRoute = createRoute({
  getParentRoute: () => rootRoute,
  path: 'checkpoints',
  validateSearch: parseCheckpointsSearch,
  beforeLoad: requireSession,
  component: lazyRouteComponent(() => import('./routes/checkpoints'), 'CheckpointsPage'),
});

const consentRoute = createRoute({
  getParentRoute: () => rootRoute,
  path: 'consent',
  validateSearch: parseConsentSearch,
  beforeLoad: requireSession,
  component: lazyRouteComponent(() => import('./routes/consent'), 'ConsentPage'),
});

const whoLookedRoute = createRoute({
  getParentRoute: () => rootRoute,
  path: 'who-looked',
  beforeLoad: requireSession,
  component: lazyRouteComponent(() => import('./routes/who-looked'), 'WhoLookedPage'),
});

/**
 * Verify a bundle anywhere: public, with no requireSession. The page calls no API (not even the
 * session): a visitor without an account checks an export bundle in the browser.
 */
const verifyBundleRoute = createRoute({
  getParentRoute: () => rootRoute,
  path: 'verify',
  component: lazyRouteComponent(() => import('./routes/verify-bundle'), 'VerifyBundlePage'),
});

const registersActivitiesRoute = createRoute({
  getParentRoute: () => rootRoute,
  path: 'registers/activities',
  validateSearch: parseActivitiesSearch,
  beforeLoad: requireSession,
  component: lazyRouteComponent(() => import('./routes/registers-activities'), 'ActivitiesPage'),
});

const registersActivityRoute = createRoute({
  getParentRoute: () => rootRoute,
  path: 'registers/activities/$activityId',
  validateSearch: parseActivitySearch,
  beforeLoad: async (options) => {
    if (!isUuid(options.params.activityId)) throw notFound();
    return requireSession(options);
  },
  component: lazyRouteComponent(() => import('./routes/registers-activity'), 'ActivityPage'),
});

const registersAssessmentsRoute = createRoute({
  getParentRoute: () => rootRoute,
  path: 'registers/assessments',
  validateSearch: parseAssessmentsSearch,
  beforeLoad: requireSession,
  component: lazyRouteComponent(() => import('./routes/registers-assessments'), 'AssessmentsPage'),
});

// The incident register (72-hour countdowns) and legal holds on the processing record.
const incidentsRoute = createRoute({
  getParentRoute: () => rootRoute,
  path: 'registers/incidents',
  validateSearch: parseIncidentsSearch,
  beforeLoad: requireSession,
  component: lazyRouteComponent(() => import('./routes/incidents'), 'IncidentsPage'),
});

const incidentRoute = createRoute({
  getParentRoute: () => rootRoute,
  path: 'registers/incidents/$incidentId',
  beforeLoad: async (options) => {
    if (parseIncidentId(options.params.incidentId) === null) throw notFound();
    return requireSession(options);
  },
  component: lazyRouteComponent(() => import('./routes/incident'), 'IncidentPage'),
});

const legalHoldsRoute = createRoute({
  getParentRoute: () => rootRoute,
  path: 'registers/legal-holds',
  beforeLoad: requireSession,
  component: lazyRouteComponent(() => import('./routes/legal-holds'), 'LegalHoldsPage'),
});

// The request handler's queue (issue 23). Its code is fetched while the session is asked, and its
// first page while the code loads (the page's own query then finds it in flight or answered):
// three round trips in parallel where they were in a row.
const requestsPage = lazyRouteComponent(() => import('./routes/requests'), 'RequestsPage');
const requestsRoute = createRoute({
  getParentRoute: () => rootRoute,
  path: 'requests',
  validateSearch: parseQueueSearch,
  beforeLoad: (options) => {
    void requestsPage.preload?.();
    return requireSession(options);
  },
  loaderDeps: ({ search }) => search,
  loader: ({ context, deps }) => {
    // Not awaited: a failure shows on the page, by the page's own query.
    context.queryClient.query(queueQuery(queueFilter(deps, context.session.actor))).catch(() => undefined);
  },
  component: requestsPage,
});

const requestRoute = createRoute({
  getParentRoute: () => rootRoute,
  path: 'requests/$requestId',
  beforeLoad: async (options) => {
    if (parseRequestId(options.params.requestId) === null) throw notFound();
    return requireSession(options);
  },
  component: lazyRouteComponent(() => import('./routes/request'), 'RequestPage'),
});

const requestNewRoute = createRoute({
  getParentRoute: () => rootRoute,
  path: 'requests/new',
  beforeLoad: requireSession,
  component: lazyRouteComponent(() => import('./routes/requests-new'), 'NewRequestPage'),
});

const requestCertificateRoute = createRoute({
  getParentRoute: () => rootRoute,
  path: 'requests/$requestId/certificate',
  beforeLoad: async (options) => {
    if (parseRequestId(options.params.requestId) === null) throw notFound();
    return requireSession(options);
  },
  component: lazyRouteComponent(() => import('./routes/requests-certificate'), 'RequestCertificatePage'),
});

// Organization administration (issue 23): the tenant's API keys, its organization, its request deadlines.
const apiKeysRoute = createRoute({
  getParentRoute: () => rootRoute,
  path: 'admin/api-keys',
  beforeLoad: requireSession,
  component: lazyRouteComponent(() => import('./routes/admin-api-keys'), 'ApiKeysPage'),
});

const organizationRoute = createRoute({
  getParentRoute: () => rootRoute,
  path: 'admin/organization',
  beforeLoad: requireSession,
  component: lazyRouteComponent(() => import('./routes/admin-organization'), 'OrganizationPage'),
});

const membersRoute = createRoute({
  getParentRoute: () => rootRoute,
  path: 'admin/members',
  beforeLoad: requireSession,
  component: lazyRouteComponent(() => import('./routes/admin-members'), 'MembersPage'),
});

const webhookRoute = createRoute({
  getParentRoute: () => rootRoute,
  path: 'admin/webhook',
  beforeLoad: requireSession,
  component: lazyRouteComponent(() => import('./routes/admin-webhook'), 'WebhookPage'),
});

const timedJobsRoute = createRoute({
  getParentRoute: () => rootRoute,
  path: 'admin/timed-jobs',
  beforeLoad: requireSession,
  component: lazyRouteComponent(() => import('./routes/admin-timed-jobs'), 'TimedJobsPage'),
});

const requestPolicyRoute = createRoute({
  getParentRoute: () => rootRoute,
  path: 'admin/request-policy',
  beforeLoad: requireSession,
  component: lazyRouteComponent(() => import('./routes/admin-request-policy'), 'RequestPolicyPage'),
});

// The platform operator's queues (issue 23): accounts across tenants, escalated requests, notifications.
const platformAccountsRoute = createRoute({
  getParentRoute: () => rootRoute,
  path: 'platform/accounts',
  validateSearch: parseAccountsSearch,
  beforeLoad: requireSession,
  component: lazyRouteComponent(() => import('./routes/platform-accounts'), 'PlatformAccountsPage'),
});

const platformAccountRoute = createRoute({
  getParentRoute: () => rootRoute,
  path: 'platform/accounts/$accountId',
  beforeLoad: async (options) => {
    if (parseAccountId(options.params.accountId) === null) throw notFound();
    return requireSession(options);
  },
  component: lazyRouteComponent(() => import('./routes/platform-account'), 'PlatformAccountPage'),
});

const platformRequestsRoute = createRoute({
  getParentRoute: () => rootRoute,
  path: 'platform/requests',
  beforeLoad: requireSession,
  component: lazyRouteComponent(() => import('./routes/platform-requests'), 'PlatformRequestsPage'),
});

const platformNotificationsRoute = createRoute({
  getParentRoute: () => rootRoute,
  path: 'platform/notifications',
  validateSearch: parseNotificationsSearch,
  beforeLoad: requireSession,
  component: lazyRouteComponent(() => import('./routes/platform-notifications'), 'PlatformNotificationsPage'),
});

const routeTree = rootRoute.addChildren([
  homeRoute,
  signInRoute,
  stepUpRoute,
  recordsRoute,
  entryRoute,
  checkpointsRoute,
  consentRoute,
  whoLookedRoute,
  registersActivitiesRoute,
  registersActivityRoute,
  registersAssessmentsRoute,
  incidentsRoute,
  incidentRoute,
  legalHoldsRoute,
  requestsRoute,
  requestRoute,
  requestNewRoute,
  requestCertificateRoute,
  apiKeysRoute,
  organizationRoute,
  membersRoute,
  webhookRoute,
  timedJobsRoute,
  requestPolicyRoute,
  platformAccountsRoute,
  platformAccountRoute,
  platformRequestsRoute,
  platformNotificationsRoute,
  verifyBundleRoute,
]);

export function createConsoleRouter(queryClient: QueryClient) {
  return createRouter({
    routeTree,
    basepath: CONSOLE_BASE,
    context: { queryClient },
    parseSearch: parseSearchString,
    stringifySearch: stringifySearchObject,
    defaultPreload: 'intent',
    // TanStack Query caches the data; the router only decides when to ask for it.
    defaultPreloadStaleTime: 0,
    scrollRestoration: true,
  });
}

declare module '@tanstack/react-router' {
  interface Register {
    router: ReturnType<typeof createConsoleRouter>;
  }
}
