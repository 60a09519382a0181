// Organization administration: the tenant's account (verification, agreement), its departments
// (create, rename, remove an empty one), its channel bindings (bind a number or id — stored
// encrypted, never shown again — and unbind), and whether members need approval to unbind (A9).
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useId, useState, type SubmitEvent } from 'react';
import { api, unwrap } from '../api/client';
import { CHANNEL_KINDS, departmentTree, organizationQuery, type ChannelKind, type Department, type Organization } from '../admin/queries';
import { DateTime } from '../components/DateTime';
import { ErrorBox } from '../components/ErrorBox';
import { Fact } from '../components/Fact';
import { useDocumentTitle } from '../components/use-document-title';
import { usePermission } from '../components/use-permission';
import { useI18n } from '../i18n/context';
import { AdminNav } from './admin-nav';

export function OrganizationPage() {
  const { t } = useI18n();
  useDocumentTitle(t('admin.org.title'));
  const organization = useQuery(organizationQuery);
  const canManage = usePermission('organization:manage') === true;
  return (
    <div className="page wide">
      <AdminNav />
      <h1>{t('admin.org.title')}</h1>
      <p className="lead">{t('admin.org.intro')}</p>
      {organization.isPending && (
        <p className="muted" role="status">
          {t('app.loading')}
        </p>
      )}
      {organization.isError && <ErrorBox error={organization.error} onRetry={() => void organization.refetch()} />}
      {organization.data && (
        <>
          <TenantCard organization={organization.data} />
          <Departments departments={organization.data.departments} canManage={canManage} />
          <Channels organization={organization.data} canManage={canManage} />
          <Settings organization={organization.data} canManage={canManage} />
        </>
      )}
    </div>
  );
}

function TenantCard({ organization }: { readonly organization: Organization }) {
  const { t } = useI18n();
  const tenant = organization.tenant;
  const agreement = tenant.agreement;
  return (
    <section className="card" aria-labelledby="org-tenant" data-tenant={tenant.tenantId}>
      <h2 id="org-tenant">{t('admin.org.account')}</h2>
      <dl className="facts">
        <Fact label={t('admin.org.legalName')}>{tenant.legalName ?? '—'}</Fact>
        <Fact label={t('platform.accounts.col.tenant')} mono>
          {tenant.tenantId}
        </Fact>
        <Fact label={t('platform.accounts.col.status')}>{tenant.status}</Fact>
        <Fact label={t('platform.accounts.col.verification')}>{tenant.verification ?? '—'}</Fact>
        <Fact label={t('admin.org.agreement')}>
          {agreement ? (
            <>
              {agreement.status}, {t('admin.org.agreementEnds')} {agreement.endsOn}
              {agreement.personalDataDeletionDueOn !== null && <> — {t('admin.org.deletionDue', { day: agreement.personalDataDeletionDueOn })}</>}
            </>
          ) : (
            t('admin.org.noAgreement')
          )}
        </Fact>
        <Fact label={t('platform.account.cancellation')}>{tenant.cancellationRequested ? t('platform.account.cancellationRequested') : '—'}</Fact>
      </dl>
    </section>
  );
}

/** Runs a call, refreshes the organization, and keeps its refusal to show beside the control. */
function useOrganizationChange<T>(call: (input: T) => Promise<unknown>) {
  const queryClient = useQueryClient();
  return useMutation({ mutationFn: call, onSettled: () => queryClient.invalidateQueries({ queryKey: organizationQuery.queryKey }) });
}

function Departments({ departments, canManage }: { readonly departments: readonly Department[]; readonly canManage: boolean }) {
  const { t } = useI18n();
  const id = useId();
  const [name, setName] = useState('');
  const [parentId, setParentId] = useState('');
  const create = useOrganizationChange((body: { name: string; parentId: string | null }) => unwrap(api.POST('/v1/organization/departments', { body })));
  const submit = (event: SubmitEvent<HTMLFormElement>) => {
    event.preventDefault();
    create.mutate(
      { name: name.trim(), parentId: parentId === '' ? null : parentId },
      {
        onSuccess: () => {
          setName('');
        },
      },
    );
  };
  const tree = departmentTree(departments);
  return (
    <section className="card" aria-labelledby={`${id}-title`}>
      <h2 id={`${id}-title`}>{t('admin.org.departments')}</h2>
      {tree.length === 0 ? (
        <p data-departments="0">{t('admin.org.noDepartments')}</p>
      ) : (
        <ul className="department-tree" data-departments={tree.length}>
          {tree.map(({ department, depth }) => (
            <li key={department.departmentId} style={{ marginLeft: `${String(depth * 1.5)}rem` }} data-department={department.name}>
              <DepartmentRow department={department} canManage={canManage} />
            </li>
          ))}
        </ul>
      )}
      {canManage && (
        <form onSubmit={submit} className="inline-form" aria-label={t('admin.org.createDepartment')}>
          <label htmlFor={`${id}-name`}>{t('admin.org.departmentName')}</label>
          <input
            id={`${id}-name`}
            value={name}
            autoComplete="off"
            onChange={(event) => {
              setName(event.target.value);
            }}
          />
          <label htmlFor={`${id}-parent`}>{t('admin.org.parent')}</label>
          <select
            id={`${id}-parent`}
            value={parentId}
            onChange={(event) => {
              setParentId(event.target.value);
            }}
          >
            <option value="">{t('admin.org.noParent')}</option>
            {tree.map(({ department, depth }) => (
              <option key={department.departmentId} value={department.departmentId}>
                {`${'\u00a0\u00a0'.repeat(depth)}${department.name}`}
              </option>
            ))}
          </select>
          <button type="submit" disabled={create.isPending || name.trim() === ''}>
            {t('admin.org.createDepartment')}
          </button>
        </form>
      )}
      {create.isError && <ErrorBox error={create.error} />}
    </section>
  );
}

function DepartmentRow({ department, canManage }: { readonly department: Department; readonly canManage: boolean }) {
  const { t } = useI18n();
  const id = useId();
  const [renaming, setRenaming] = useState(false);
  const [name, setName] = useState(department.name);
  const path = { params: { path: { departmentId: department.departmentId } } };
  const rename = useOrganizationChange((next: string) => unwrap(api.PATCH('/v1/organization/departments/{departmentId}', { ...path, body: { name: next } })));
  const remove = useOrganizationChange(() => unwrap(api.DELETE('/v1/organization/departments/{departmentId}', path)));
  if (renaming)
    return (
      <form
        className="inline-form"
        onSubmit={(event: SubmitEvent<HTMLFormElement>) => {
          event.preventDefault();
          rename.mutate(name.trim(), {
            onSuccess: () => {
              setRenaming(false);
            },
          });
        }}
      >
        <label htmlFor={`${id}-rename`} className="visually-hidden">
          {t('admin.org.newName', { name: department.name })}
        </label>
        <input
          id={`${id}-rename`}
          value={name}
          autoComplete="off"
          onChange={(event) => {
            setName(event.target.value);
          }}
        />
        <button type="submit" disabled={rename.isPending || name.trim() === ''}>
          {t('admin.org.rename')}
        </button>{' '}
        <button
          type="button"
          className="link-button"
          onClick={() => {
            setRenaming(false);
          }}
        >
          {t('reveal.cancel')}
        </button>
        {rename.isError && <ErrorBox error={rename.error} />}
      </form>
    );
  return (
    <>
      <strong>{department.name}</strong> <span className="muted">{t('admin.org.members', { count: department.memberCount })}</span>
      {canManage && (
        <>
          {' '}
          <button
            type="button"
            className="link-button"
            onClick={() => {
              setRenaming(true);
            }}
          >
            {t('admin.org.rename')}
          </button>{' '}
          <button
            type="button"
            className="link-button"
            disabled={remove.isPending}
            onClick={() => {
              if (window.confirm(t('admin.org.removeConfirm', { name: department.name }))) remove.mutate(undefined);
            }}
          >
            {t('admin.org.remove')}
          </button>
        </>
      )}
      {remove.isError && <ErrorBox error={remove.error} />}
    </>
  );
}

function Channels({ organization, canManage }: { readonly organization: Organization; readonly canManage: boolean }) {
  const { t } = useI18n();
  const channelLabel = (channel: string): string => {
    const known = CHANNEL_KINDS.find((c) => c === channel);
    return known === undefined ? channel : t(`admin.org.channel.${known}`);
  };
  const id = useId();
  const [channel, setChannel] = useState<ChannelKind>('whatsapp-business');
  const [externalAccountId, setExternalAccountId] = useState('');
  const bind = useOrganizationChange((body: { channel: ChannelKind; externalAccountId: string }) => unwrap(api.POST('/v1/organization/channels', { body })));
  const unbind = useOrganizationChange((bindingId: string) => unwrap(api.DELETE('/v1/organization/channels/{bindingId}', { params: { path: { bindingId } } })));
  return (
    <section className="card" aria-labelledby={`${id}-title`}>
      <h2 id={`${id}-title`}>{t('admin.org.channels')}</h2>
      <p className="muted small">{t('admin.org.channelsHint')}</p>
      {organization.channelBindings.length === 0 ? (
        <p data-bindings="0">{t('admin.org.noChannels')}</p>
      ) : (
        <table data-bindings={organization.channelBindings.length}>
          <caption>{t('admin.org.channels')}</caption>
          <thead>
            <tr>
              <th scope="col">{t('admin.org.channel')}</th>
              <th scope="col">{t('admin.org.boundAt')}</th>
              <th scope="col">{t('admin.org.boundBy')}</th>
              {canManage && <th scope="col">{t('platform.notifications.col.action')}</th>}
            </tr>
          </thead>
          <tbody>
            {organization.channelBindings.map((b) => (
              <tr key={b.bindingId} data-binding={b.channel}>
                <th scope="row">{channelLabel(b.channel)}</th>
                <td>
                  <DateTime value={b.boundAt} />
                </td>
                <td className="mono">{b.boundBy}</td>
                {canManage && (
                  <td>
                    <button
                      type="button"
                      className="link-button"
                      disabled={unbind.isPending}
                      onClick={() => {
                        if (window.confirm(t('admin.org.unbindConfirm'))) unbind.mutate(b.bindingId);
                      }}
                    >
                      {t('admin.org.unbind')}
                    </button>
                  </td>
                )}
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {unbind.isError && <ErrorBox error={unbind.error} />}
      {canManage && (
        <form
          className="inline-form"
          aria-label={t('admin.org.bind')}
          onSubmit={(event: SubmitEvent<HTMLFormElement>) => {
            event.preventDefault();
            bind.mutate(
              { channel, externalAccountId: externalAccountId.trim() },
              {
                onSuccess: () => {
                  setExternalAccountId('');
                },
              },
            );
          }}
        >
          <label htmlFor={`${id}-channel`}>{t('admin.org.channel')}</label>
          <select
            id={`${id}-channel`}
            value={channel}
            onChange={(event) => {
              setChannel(CHANNEL_KINDS.find((c) => c === event.target.value) ?? 'whatsapp-business');
            }}
          >
            {CHANNEL_KINDS.map((c) => (
              <option key={c} value={c}>
                {t(`admin.org.channel.${c}`)}
              </option>
            ))}
          </select>
          <label htmlFor={`${id}-external`}>{t('admin.org.externalId')}</label>
          <input
            id={`${id}-external`}
            value={externalAccountId}
            autoComplete="off"
            onChange={(event) => {
              setExternalAccountId(event.target.value);
            }}
          />
          <button type="submit" disabled={bind.isPending || externalAccountId.trim() === ''}>
            {t('admin.org.bind')}
          </button>
        </form>
      )}
      {bind.isError && <ErrorBox error={bind.error} />}
    </section>
  );
}

function Settings({ organization, canManage }: { readonly organization: Organization; readonly canManage: boolean }) {
  const { t } = useI18n();
  const id = useId();
  const save = useOrganizationChange((unbindingApprovalRequired: boolean) =>
    unwrap(api.PUT('/v1/organization/settings', { body: { unbindingApprovalRequired } })),
  );
  return (
    <section className="card" aria-labelledby={`${id}-title`}>
      <h2 id={`${id}-title`}>{t('admin.org.settings')}</h2>
      <label className="checkbox">
        <input
          type="checkbox"
          checked={organization.unbindingApprovalRequired}
          disabled={!canManage || save.isPending}
          onChange={(event) => {
            save.mutate(event.target.checked);
          }}
        />{' '}
        {t('admin.org.unbindingApproval')}
      </label>
      {save.isError && <ErrorBox error={save.error} />}
    </section>
  );
}
