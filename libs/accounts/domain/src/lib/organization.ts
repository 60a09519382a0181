import { DomainError, type Decider } from '@attest/kernel';

/**
 * A tenant's organization: departments, bound external channel accounts
 * (A5) and its policies. One stream `organization-<tenantId>`; administrator
 * actions are recorded with the administrator as actor and the enterprise as
 * tenant (A3).
 */

export const CHANNELS = ['whatsapp-business', 'wechat-work', 'sms-sender', 'email-sender'] as const;
export type Channel = (typeof CHANNELS)[number];

type E<T extends string, D> = { readonly type: T; readonly data: D & { readonly tenantId: string } };
export type DepartmentCreated = E<
  'DepartmentCreated.v1',
  { readonly departmentId: string; readonly name: string; readonly parentId: string | null; readonly createdBy: string }
>;
export type DepartmentRenamed = E<'DepartmentRenamed.v1', { readonly departmentId: string; readonly name: string; readonly renamedBy: string }>;
export type DepartmentRemoved = E<'DepartmentRemoved.v1', { readonly departmentId: string; readonly removedBy: string }>;
export type ChannelAccountBound = E<
  'ChannelAccountBound.v1',
  { readonly bindingId: string; readonly channel: Channel; readonly externalAccountId: string; readonly boundBy: string }
>;
export type ChannelAccountUnbound = E<'ChannelAccountUnbound.v1', { readonly bindingId: string; readonly channel: Channel; readonly unboundBy: string }>;
export type UnbindingPolicySet = E<'UnbindingPolicySet.v1', { readonly approvalRequired: boolean; readonly setBy: string }>;

export type OrganizationEvent = DepartmentCreated | DepartmentRenamed | DepartmentRemoved | ChannelAccountBound | ChannelAccountUnbound | UnbindingPolicySet;
export const ORGANIZATION_EVENT_TYPES: readonly OrganizationEvent['type'][] = [
  'DepartmentCreated.v1',
  'DepartmentRenamed.v1',
  'DepartmentRemoved.v1',
  'ChannelAccountBound.v1',
  'ChannelAccountUnbound.v1',
  'UnbindingPolicySet.v1',
];

export interface OrganizationState {
  readonly departments: ReadonlyMap<string, { readonly name: string; readonly parentId: string | null }>;
  readonly bindings: ReadonlyMap<string, { readonly channel: Channel; readonly externalAccountId: string }>;
  readonly unbindingApprovalRequired: boolean;
}

interface Base {
  readonly tenantId: string;
  readonly actor: string;
}
export type OrganizationCommand =
  | (Base & { readonly kind: 'CreateDepartment'; readonly departmentId: string; readonly name: string; readonly parentId: string | null })
  | (Base & { readonly kind: 'RenameDepartment'; readonly departmentId: string; readonly name: string })
  | (Base & { readonly kind: 'RemoveDepartment'; readonly departmentId: string; readonly memberCount: number })
  | (Base & { readonly kind: 'BindChannelAccount'; readonly bindingId: string; readonly channel: Channel; readonly externalAccountId: string })
  | (Base & { readonly kind: 'UnbindChannelAccount'; readonly bindingId: string })
  | (Base & { readonly kind: 'SetUnbindingPolicy'; readonly approvalRequired: boolean });

export const organizationStreamId = (tenantId: string): string => `organization-${tenantId}`;

const refuse = (code: string, message: string, kind: 'invalid' | 'not_found' | 'conflict' = 'conflict'): never => {
  throw new DomainError(code, message, kind);
};

const sameName = (a: string, b: string): boolean => a.normalize('NFKC').trim().toLowerCase() === b.normalize('NFKC').trim().toLowerCase();

function nameTaken(state: OrganizationState, name: string, parentId: string | null, except?: string): boolean {
  return [...state.departments].some(([id, d]) => id !== except && d.parentId === parentId && sameName(d.name, name));
}

export const organizationDecider: Decider<OrganizationCommand, OrganizationEvent, OrganizationState> = {
  initialState: { departments: new Map(), bindings: new Map(), unbindingApprovalRequired: false },

  decide(command, state) {
    const tenantId = command.tenantId;
    switch (command.kind) {
      case 'CreateDepartment':
        if (state.departments.has(command.departmentId)) refuse('DEPARTMENT.EXISTS', 'this department id is already used');
        if (command.parentId !== null && !state.departments.has(command.parentId))
          refuse('DEPARTMENT.PARENT_NOT_FOUND', 'the parent department does not exist', 'invalid');
        if (nameTaken(state, command.name, command.parentId)) refuse('DEPARTMENT.NAME_TAKEN', 'a department of this name already exists here');
        return [
          {
            type: 'DepartmentCreated.v1',
            data: { tenantId, departmentId: command.departmentId, name: command.name.trim(), parentId: command.parentId, createdBy: command.actor },
          },
        ];
      case 'RenameDepartment': {
        const department = state.departments.get(command.departmentId);
        if (!department) return refuse('DEPARTMENT.NOT_FOUND', 'no such department', 'not_found');
        if (nameTaken(state, command.name, department.parentId, command.departmentId))
          refuse('DEPARTMENT.NAME_TAKEN', 'a department of this name already exists here');
        if (department.name === command.name.trim()) return [];
        return [{ type: 'DepartmentRenamed.v1', data: { tenantId, departmentId: command.departmentId, name: command.name.trim(), renamedBy: command.actor } }];
      }
      case 'RemoveDepartment':
        if (!state.departments.has(command.departmentId)) refuse('DEPARTMENT.NOT_FOUND', 'no such department', 'not_found');
        if ([...state.departments.values()].some((d) => d.parentId === command.departmentId))
          refuse('DEPARTMENT.HAS_SUBDEPARTMENTS', 'remove or move its sub-departments first');
        if (command.memberCount > 0) refuse('DEPARTMENT.HAS_MEMBERS', 'move its members to another department first');
        return [{ type: 'DepartmentRemoved.v1', data: { tenantId, departmentId: command.departmentId, removedBy: command.actor } }];
      case 'BindChannelAccount':
        if (state.bindings.has(command.bindingId)) refuse('CHANNEL.BINDING_EXISTS', 'this binding id is already used');
        if ([...state.bindings.values()].some((b) => b.channel === command.channel && b.externalAccountId === command.externalAccountId)) {
          refuse('CHANNEL.ALREADY_BOUND', 'this channel account is already bound to the tenant');
        }
        return [
          {
            type: 'ChannelAccountBound.v1',
            data: { tenantId, bindingId: command.bindingId, channel: command.channel, externalAccountId: command.externalAccountId, boundBy: command.actor },
          },
        ];
      case 'UnbindChannelAccount': {
        const binding = state.bindings.get(command.bindingId);
        if (!binding) return refuse('CHANNEL.BINDING_NOT_FOUND', 'no such channel binding', 'not_found');
        return [{ type: 'ChannelAccountUnbound.v1', data: { tenantId, bindingId: command.bindingId, channel: binding.channel, unboundBy: command.actor } }];
      }
      case 'SetUnbindingPolicy':
        if (state.unbindingApprovalRequired === command.approvalRequired) return [];
        return [{ type: 'UnbindingPolicySet.v1', data: { tenantId, approvalRequired: command.approvalRequired, setBy: command.actor } }];
    }
  },

  evolve(state, event) {
    switch (event.type) {
      case 'DepartmentCreated.v1': {
        const departments = new Map(state.departments);
        departments.set(event.data.departmentId, { name: event.data.name, parentId: event.data.parentId });
        return { ...state, departments };
      }
      case 'DepartmentRenamed.v1': {
        const departments = new Map(state.departments);
        const current = departments.get(event.data.departmentId);
        if (current) departments.set(event.data.departmentId, { ...current, name: event.data.name });
        return { ...state, departments };
      }
      case 'DepartmentRemoved.v1': {
        const departments = new Map(state.departments);
        departments.delete(event.data.departmentId);
        return { ...state, departments };
      }
      case 'ChannelAccountBound.v1': {
        const bindings = new Map(state.bindings);
        bindings.set(event.data.bindingId, { channel: event.data.channel, externalAccountId: event.data.externalAccountId });
        return { ...state, bindings };
      }
      case 'ChannelAccountUnbound.v1': {
        const bindings = new Map(state.bindings);
        bindings.delete(event.data.bindingId);
        return { ...state, bindings };
      }
      case 'UnbindingPolicySet.v1':
        return { ...state, unbindingApprovalRequired: event.data.approvalRequired };
    }
  },
};
