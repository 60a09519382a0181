// Organization administration: the members. Invite people from a contact list (pasted or loaded
// from a CSV file; sent once every line is readable, each invited or refused on its own), list the
// members by status, department or waiting unbinding, and for one member: reveal its personal data
// (a declared purpose, recorded), move it to a department, delegate permissions, approve or reject
// its unbinding (A9), close an expired invitation (A3). The list holds no personal field.
import { useInfiniteQuery, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useId, useState, type ChangeEvent, type SubmitEvent } from 'react';
import { api, unwrap } from '../api/client';
import {
  DELEGABLE_PERMISSIONS,
  delegationChange,
  isDelegable,
  MEMBER_STATUSES,
  memberQuery,
  membersQuery,
  parseContactList,
  type DelegablePermission,
  type InvitationOutcome,
  type Member,
  type MemberFilter,
} from '../admin/members';
import { departmentTree, organizationQuery, type Department } from '../admin/queries';
import { DateTime } from '../components/DateTime';
import { ErrorBox } from '../components/ErrorBox';
import { Fact } from '../components/Fact';
import { RevealMember } from '../components/RevealContact';
import { useDocumentTitle } from '../components/use-document-title';
import { usePermission } from '../components/use-permission';
import { useI18n } from '../i18n/context';
import { AdminNav } from './admin-nav';

export function MembersPage() {
  const { t } = useI18n();
  useDocumentTitle(t('admin.members.title'));
  const organization = useQuery(organizationQuery);
  const departments = organization.data?.departments ?? [];
  const canManage = usePermission('organization:manage') === true;
  const [selected, setSelected] = useState<string | null>(null);
  return (
    <div className="page wide">
      <AdminNav />
      <h1>{t('admin.members.title')}</h1>
      <p className="lead">{t('admin.members.intro')}</p>
      {organization.isError && <ErrorBox error={organization.error} onRetry={() => void organization.refetch()} />}
      {canManage && <Invite departments={departments} />}
      {selected !== null && (
        <MemberPanel
          key={selected}
          accountId={selected}
          departments={departments}
          onClose={() => {
            setSelected(null);
          }}
        />
      )}
      <MemberList departments={departments} onOpen={setSelected} />
    </div>
  );
}

const departmentName = (departments: readonly Department[], id: string | null): string | null =>
  id === null ? null : (departments.find((d) => d.departmentId === id)?.name ?? id);

function DepartmentSelect({
  id,
  departments,
  value,
  onChange,
  none,
}: {
  readonly id: string;
  readonly departments: readonly Department[];
  readonly value: string;
  readonly onChange: (value: string) => void;
  readonly none: string;
}) {
  return (
    <select
      id={id}
      value={value}
      onChange={(event) => {
        onChange(event.target.value);
      }}
    >
      <option value="">{none}</option>
      {departmentTree(departments).map(({ department, depth }) => (
        <option key={department.departmentId} value={department.departmentId}>
          {`${'\u00a0\u00a0'.repeat(depth)}${department.name}`}
        </option>
      ))}
    </select>
  );
}

/** The contact list lives in this form's state only; it is cleared once the invitations are sent. */
function Invite({ departments }: { readonly departments: readonly Department[] }) {
  const { t } = useI18n();
  const id = useId();
  const queryClient = useQueryClient();
  const [text, setText] = useState('');
  const [departmentId, setDepartmentId] = useState('');
  const [sent, setSent] = useState<readonly { readonly name: string; readonly outcome: InvitationOutcome }[] | null>(null);
  const list = parseContactList(text, departmentId === '' ? null : departmentId);
  // The invitations travel as the mutation's variables: a function reading this render's `list` may be
  // the previous render's when a click comes before the new options are in (a department just chosen).
  const invite = useMutation({
    mutationFn: (invitations: typeof list.invitations) => unwrap(api.POST('/v1/organization/invitations', { body: { invitations: [...invitations] } })),
    onSuccess: (outcomes, invitations) => {
      setSent(outcomes.map((outcome) => ({ name: invitations[outcome.index]?.contact.name ?? String(outcome.index + 1), outcome })));
      setText('');
    },
    onSettled: () => queryClient.invalidateQueries({ queryKey: ['admin', 'members'] }),
  });
  const load = (event: ChangeEvent<HTMLInputElement>) => {
    const file = event.target.files?.[0];
    event.target.value = '';
    if (file) void file.text().then(setText);
  };
  const submit = (event: SubmitEvent<HTMLFormElement>) => {
    event.preventDefault();
    setSent(null);
    invite.mutate(list.invitations);
  };
  const ready = list.invitations.length > 0 && list.problems.length === 0;
  return (
    <section className="card" aria-labelledby={`${id}-title`}>
      <h2 id={`${id}-title`}>{t('admin.members.invite')}</h2>
      <form onSubmit={submit} className="field" data-invite-department={departmentId}>
        <label htmlFor={`${id}-list`}>{t('admin.members.contactList')}</label>
        <p className="muted small" id={`${id}-hint`}>
          {t('admin.members.contactListHint')}
        </p>
        <textarea
          id={`${id}-list`}
          rows={5}
          value={text}
          spellCheck={false}
          autoComplete="off"
          aria-describedby={`${id}-hint`}
          onChange={(event) => {
            setText(event.target.value);
          }}
        />
        <label htmlFor={`${id}-file`}>{t('admin.members.contactFile')}</label>
        <input id={`${id}-file`} type="file" accept=".csv,.txt,text/csv,text/plain" onChange={load} />
        <label htmlFor={`${id}-department`}>{t('admin.members.department')}</label>
        <DepartmentSelect
          id={`${id}-department`}
          departments={departments}
          value={departmentId}
          onChange={setDepartmentId}
          none={t('admin.members.noDepartment')}
        />
        {list.problems.length > 0 && (
          <ul className="notice failure" role="alert" data-contact-problems={list.problems.length}>
            {list.problems.map((p) => (
              <li key={p.line}>{t('admin.members.line', { line: p.line, problem: t(`admin.members.problem.${p.problem}`) })}</li>
            ))}
          </ul>
        )}
        <p>
          <button type="submit" disabled={!ready || invite.isPending}>
            {t('admin.members.inviteButton', { count: list.invitations.length })}
          </button>
        </p>
      </form>
      {invite.isError && <ErrorBox error={invite.error} />}
      {sent && (
        <table
          className="dense"
          data-invited={sent.filter((s) => s.outcome.status === 'invited').length}
          data-refused={sent.filter((s) => s.outcome.status === 'refused').length}
        >
          <caption>{t('admin.members.outcomes')}</caption>
          <thead>
            <tr>
              <th scope="col">{t('admin.members.col.contact')}</th>
              <th scope="col">{t('admin.members.col.outcome')}</th>
              <th scope="col">{t('admin.members.col.detail')}</th>
            </tr>
          </thead>
          <tbody>
            {sent.map(({ name, outcome }) => (
              <tr key={outcome.index} data-outcome={outcome.status}>
                <th scope="row">{name}</th>
                <td>{t(`admin.members.outcome.${outcome.status}`)}</td>
                <td>
                  {outcome.status === 'invited' && outcome.expiresAt !== undefined ? (
                    <>
                      {t('admin.members.expires')} <DateTime value={outcome.expiresAt} />
                    </>
                  ) : (
                    <>
                      <span className="mono">{outcome.code}</span> {outcome.detail}
                    </>
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}

function MemberList({ departments, onOpen }: { readonly departments: readonly Department[]; readonly onOpen: (accountId: string) => void }) {
  const { t } = useI18n();
  const id = useId();
  const [filter, setFilter] = useState<MemberFilter>({ status: null, departmentId: null, unbindingRequested: false });
  const members = useInfiniteQuery(membersQuery(filter));
  const rows = members.data?.pages.flat() ?? [];
  return (
    <section className="card" aria-labelledby={`${id}-title`}>
      <h2 id={`${id}-title`}>{t('admin.members.list')}</h2>
      <div className="inline-form" role="group" aria-label={t('admin.members.filters')}>
        <label htmlFor={`${id}-status`}>{t('admin.members.col.status')}</label>
        <select
          id={`${id}-status`}
          value={filter.status ?? ''}
          onChange={(event) => {
            setFilter({ ...filter, status: MEMBER_STATUSES.find((s) => s === event.target.value) ?? null });
          }}
        >
          <option value="">{t('admin.members.anyStatus')}</option>
          {MEMBER_STATUSES.map((s) => (
            <option key={s} value={s}>
              {t(`admin.members.status.${s}`)}
            </option>
          ))}
        </select>
        <label htmlFor={`${id}-department`}>{t('admin.members.department')}</label>
        <DepartmentSelect
          id={`${id}-department`}
          departments={departments}
          value={filter.departmentId ?? ''}
          onChange={(value) => {
            setFilter({ ...filter, departmentId: value === '' ? null : value });
          }}
          none={t('admin.members.anyDepartment')}
        />
        <label className="checkbox">
          <input
            type="checkbox"
            checked={filter.unbindingRequested}
            onChange={(event) => {
              setFilter({ ...filter, unbindingRequested: event.target.checked });
            }}
          />{' '}
          {t('admin.members.waitingUnbinding')}
        </label>
      </div>
      {members.isError && <ErrorBox error={members.error} onRetry={() => void members.refetch()} />}
      <table className="dense" aria-busy={members.isPending || members.isFetching} data-members={rows.length}>
        <caption className="visually-hidden">{t('admin.members.list')}</caption>
        <thead>
          <tr>
            <th scope="col">{t('admin.members.col.member')}</th>
            <th scope="col">{t('admin.members.col.status')}</th>
            <th scope="col">{t('admin.members.department')}</th>
            <th scope="col">{t('admin.members.col.delegated')}</th>
            <th scope="col">{t('admin.members.col.since')}</th>
          </tr>
        </thead>
        <tbody>
          {rows.length === 0 && !members.isPending && (
            <tr>
              <td colSpan={5}>{t('admin.members.none')}</td>
            </tr>
          )}
          {rows.map((m) => (
            <MemberRow key={m.accountId} member={m} departments={departments} onOpen={onOpen} />
          ))}
        </tbody>
      </table>
      {members.hasNextPage && (
        <p>
          <button type="button" disabled={members.isFetchingNextPage} onClick={() => void members.fetchNextPage()}>
            {t('admin.members.more')}
          </button>
        </p>
      )}
    </section>
  );
}

function MemberRow({
  member,
  departments,
  onOpen,
}: {
  readonly member: Member;
  readonly departments: readonly Department[];
  readonly onOpen: (accountId: string) => void;
}) {
  const { t } = useI18n();
  return (
    <tr data-member={member.accountId} data-status={member.status}>
      <th scope="row">
        <button
          type="button"
          className="link-button mono"
          aria-label={t('admin.members.open', { id: member.accountId.slice(0, 8) })}
          onClick={() => {
            onOpen(member.accountId);
          }}
        >
          {member.accountId.slice(0, 8)}
        </button>
        {member.minor && <span className="register-tag">{t('admin.members.minor')}</span>}
      </th>
      <td>
        {t(`admin.members.status.${member.status}`)}
        {member.unbindingRequested && <span className="register-tag warning">{t('admin.members.unbindingRequested')}</span>}
      </td>
      <td>{departmentName(departments, member.departmentId) ?? '—'}</td>
      <td className="small">{member.delegatedPermissions.length === 0 ? '—' : member.delegatedPermissions.join(', ')}</td>
      <td>
        <DateTime value={member.createdAt} />
      </td>
    </tr>
  );
}

/** One member: its facts, its personal data (masked), and what an administrator may change. */
function MemberPanel({
  accountId,
  departments,
  onClose,
}: {
  readonly accountId: string;
  readonly departments: readonly Department[];
  readonly onClose: () => void;
}) {
  const { t } = useI18n();
  const id = useId();
  const member = useQuery(memberQuery(accountId));
  const canManage = usePermission('organization:manage') === true;
  const canDelegate = usePermission('delegations:manage') === true;
  const canReveal = usePermission('personal-data:read') === true;
  const m = member.data;
  return (
    <section className="card" aria-labelledby={`${id}-title`} data-member-panel={accountId} data-status={m?.status}>
      <h2 id={`${id}-title`}>
        {t('admin.members.member', { id: accountId.slice(0, 8) })}{' '}
        <button type="button" className="link-button" onClick={onClose}>
          {t('admin.members.close')}
        </button>
      </h2>
      {member.isPending && (
        <p className="muted" role="status">
          {t('app.loading')}
        </p>
      )}
      {member.isError && <ErrorBox error={member.error} onRetry={() => void member.refetch()} />}
      {m && (
        <>
          <dl className="facts">
            <Fact label={t('admin.members.col.member')} mono>
              {m.accountId}
            </Fact>
            <Fact label={t('admin.members.col.status')}>{t(`admin.members.status.${m.status}`)}</Fact>
            <Fact label={t('admin.members.department')}>{departmentName(departments, m.departmentId) ?? '—'}</Fact>
            {m.invitationExpiresAt !== null && (
              <Fact label={t('admin.members.expires')}>
                <DateTime value={m.invitationExpiresAt} />
              </Fact>
            )}
            {canReveal && (
              <Fact label={t('admin.members.personalData')}>
                <RevealMember accountId={m.accountId} />
              </Fact>
            )}
          </dl>
          {canManage && m.unbindingRequested && <Unbinding accountId={m.accountId} />}
          {canManage && m.status === 'invited' && m.invitationExpiresAt !== null && Date.parse(m.invitationExpiresAt) <= Date.now() && (
            <MemberAction accountId={m.accountId} label={t('admin.members.expireInvitation')} path="/v1/organization/invitations/{accountId}/expire" />
          )}
          {canManage && (m.status === 'active' || m.status === 'invited' || m.status === 'restricted') && <Move member={m} departments={departments} />}
          {canDelegate && m.status === 'active' && <Delegations member={m} />}
          <h3>{t('admin.members.history')}</h3>
          <table className="dense" data-history={m.history.length}>
            <caption className="visually-hidden">{t('admin.members.history')}</caption>
            <thead>
              <tr>
                <th scope="col">{t('admin.members.col.when')}</th>
                <th scope="col">{t('admin.members.col.status')}</th>
                <th scope="col">{t('admin.members.col.reason')}</th>
                <th scope="col">{t('admin.members.col.by')}</th>
              </tr>
            </thead>
            <tbody>
              {m.history.map((h) => (
                <tr key={`${h.at}-${h.event}`}>
                  <td>
                    <DateTime value={h.at} />
                  </td>
                  <td>{h.status}</td>
                  <td>{h.reason ?? '—'}</td>
                  <td className="mono">{h.decidedBy}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </>
      )}
    </section>
  );
}

/** A change to a member, then the member and the list read again. */
function useMemberChange<T>(accountId: string, call: (input: T) => Promise<unknown>) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: call,
    onSettled: async () => {
      await queryClient.invalidateQueries({ queryKey: ['admin', 'member', accountId] });
      await queryClient.invalidateQueries({ queryKey: ['admin', 'members'] });
      await queryClient.invalidateQueries({ queryKey: organizationQuery.queryKey });
    },
  });
}

type MemberActionPath =
  | '/v1/organization/invitations/{accountId}/expire'
  | '/v1/organization/members/{accountId}/unbinding/approve'
  | '/v1/organization/members/{accountId}/unbinding/reject';

function MemberAction({
  accountId,
  label,
  path,
  confirm,
}: {
  readonly accountId: string;
  readonly label: string;
  readonly path: MemberActionPath;
  readonly confirm?: string;
}) {
  const action = useMemberChange(accountId, () => unwrap(api.POST(path, { params: { path: { accountId } } })));
  return (
    <>
      <button
        type="button"
        disabled={action.isPending}
        onClick={() => {
          if (confirm === undefined || window.confirm(confirm)) action.mutate(undefined);
        }}
      >
        {label}
      </button>{' '}
      {action.isError && <ErrorBox error={action.error} />}
    </>
  );
}

function Unbinding({ accountId }: { readonly accountId: string }) {
  const { t } = useI18n();
  return (
    <div className="notice warning" data-unbinding="requested">
      <p>{t('admin.members.unbindingHint')}</p>
      <p>
        <MemberAction
          accountId={accountId}
          label={t('admin.members.approveUnbinding')}
          path="/v1/organization/members/{accountId}/unbinding/approve"
          confirm={t('admin.members.approveConfirm')}
        />
        <MemberAction accountId={accountId} label={t('admin.members.rejectUnbinding')} path="/v1/organization/members/{accountId}/unbinding/reject" />
      </p>
    </div>
  );
}

function Move({ member, departments }: { readonly member: Member; readonly departments: readonly Department[] }) {
  const { t } = useI18n();
  const id = useId();
  const [departmentId, setDepartmentId] = useState(member.departmentId ?? '');
  const move = useMemberChange(member.accountId, (to: string | null) =>
    unwrap(api.POST('/v1/organization/members/{accountId}/department', { params: { path: { accountId: member.accountId } }, body: { departmentId: to } })),
  );
  return (
    <form
      className="inline-form"
      aria-label={t('admin.members.move')}
      onSubmit={(event: SubmitEvent<HTMLFormElement>) => {
        event.preventDefault();
        move.mutate(departmentId === '' ? null : departmentId);
      }}
    >
      <label htmlFor={`${id}-to`}>{t('admin.members.moveTo')}</label>
      <DepartmentSelect id={`${id}-to`} departments={departments} value={departmentId} onChange={setDepartmentId} none={t('admin.members.noDepartment')} />
      <button type="submit" disabled={move.isPending || departmentId === (member.departmentId ?? '')}>
        {t('admin.members.move')}
      </button>
      {move.isError && <ErrorBox error={move.error} />}
    </form>
  );
}

/** The delegable permissions as boxes; saving grants the newly ticked and revokes the unticked. */
function Delegations({ member }: { readonly member: Member }) {
  const { t } = useI18n();
  const id = useId();
  const [wanted, setWanted] = useState<ReadonlySet<DelegablePermission>>(new Set(member.delegatedPermissions.filter(isDelegable)));
  const change = delegationChange(member.delegatedPermissions, wanted);
  const path = { params: { path: { userId: member.accountId } } };
  const save = useMemberChange(member.accountId, async () => {
    if (change.grant.length > 0) await unwrap(api.POST('/v1/delegations/{userId}/grant', { ...path, body: { permissions: change.grant } }));
    if (change.revoke.length > 0) await unwrap(api.POST('/v1/delegations/{userId}/revoke', { ...path, body: { permissions: change.revoke } }));
  });
  return (
    <form
      aria-labelledby={`${id}-title`}
      onSubmit={(event: SubmitEvent<HTMLFormElement>) => {
        event.preventDefault();
        save.mutate(undefined);
      }}
    >
      <h3 id={`${id}-title`}>{t('admin.members.delegations')}</h3>
      <p className="muted small">{t('admin.members.delegationsHint')}</p>
      <fieldset className="register-checks">
        <legend className="visually-hidden">{t('admin.members.delegations')}</legend>
        {DELEGABLE_PERMISSIONS.map((p) => (
          <label key={p} className="checkbox">
            <input
              type="checkbox"
              checked={wanted.has(p)}
              onChange={(event) => {
                const next = new Set(wanted);
                if (event.target.checked) next.add(p);
                else next.delete(p);
                setWanted(next);
              }}
            />{' '}
            <span className="mono">{p}</span>
          </label>
        ))}
      </fieldset>
      <p>
        <button type="submit" disabled={save.isPending || (change.grant.length === 0 && change.revoke.length === 0)}>
          {t('admin.members.saveDelegations')}
        </button>
      </p>
      {save.isSuccess && (
        <p role="status" data-delegations-saved>
          {t('admin.members.delegationsSaved')}
        </p>
      )}
      {save.isError && <ErrorBox error={save.error} />}
    </form>
  );
}
