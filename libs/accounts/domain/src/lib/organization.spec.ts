import { deciderSpec } from '@attest/testing';
import { organizationDecider, type OrganizationEvent } from './organization';

const spec = deciderSpec(organizationDecider);
const base = { tenantId: 'acme', actor: 'user:admin' };
const sales: OrganizationEvent = {
  type: 'DepartmentCreated.v1',
  data: { tenantId: 'acme', departmentId: 'd-1', name: 'Sales', parentId: null, createdBy: 'user:admin' },
};
const east: OrganizationEvent = {
  type: 'DepartmentCreated.v1',
  data: { tenantId: 'acme', departmentId: 'd-2', name: 'East', parentId: 'd-1', createdBy: 'user:admin' },
};
const whatsapp: OrganizationEvent = {
  type: 'ChannelAccountBound.v1',
  data: { tenantId: 'acme', bindingId: 'b-1', channel: 'whatsapp-business', externalAccountId: '+8613800000000', boundBy: 'user:admin' },
};

describe('organization decider (A3, A5, A9)', () => {
  it('A3: builds a department tree', () => {
    spec
      .given([])
      .when({ ...base, kind: 'CreateDepartment', departmentId: 'd-1', name: ' Sales ', parentId: null })
      .then([sales]);
    spec
      .given([sales])
      .when({ ...base, kind: 'CreateDepartment', departmentId: 'd-2', name: 'East', parentId: 'd-1' })
      .then([east]);
    spec
      .given([sales])
      .when({ ...base, kind: 'RenameDepartment', departmentId: 'd-1', name: 'Sales & Marketing' })
      .then([{ type: 'DepartmentRenamed.v1', data: { tenantId: 'acme', departmentId: 'd-1', name: 'Sales & Marketing', renamedBy: 'user:admin' } }]);
    spec
      .given([sales])
      .when({ ...base, kind: 'RenameDepartment', departmentId: 'd-1', name: 'Sales' })
      .then([]);
    spec
      .given([sales, east])
      .when({ ...base, kind: 'RemoveDepartment', departmentId: 'd-2', memberCount: 0 })
      .then([{ type: 'DepartmentRemoved.v1', data: { tenantId: 'acme', departmentId: 'd-2', removedBy: 'user:admin' } }]);
  });

  it('A3: refuses inconsistent trees', () => {
    spec
      .given([sales])
      .when({ ...base, kind: 'CreateDepartment', departmentId: 'd-1', name: 'X', parentId: null })
      .thenRefuses('DEPARTMENT.EXISTS');
    spec
      .given([])
      .when({ ...base, kind: 'CreateDepartment', departmentId: 'd-2', name: 'X', parentId: 'd-9' })
      .thenRefuses('DEPARTMENT.PARENT_NOT_FOUND');
    spec
      .given([sales])
      .when({ ...base, kind: 'CreateDepartment', departmentId: 'd-2', name: 'sales', parentId: null })
      .thenRefuses('DEPARTMENT.NAME_TAKEN');
    spec
      .given([sales, east])
      .when({ ...base, kind: 'RenameDepartment', departmentId: 'd-1', name: 'x' })
      .then([{ type: 'DepartmentRenamed.v1', data: { tenantId: 'acme', departmentId: 'd-1', name: 'x', renamedBy: 'user:admin' } }]);
    spec
      .given([])
      .when({ ...base, kind: 'RenameDepartment', departmentId: 'd-1', name: 'x' })
      .thenRefuses('DEPARTMENT.NOT_FOUND');
    spec
      .given([])
      .when({ ...base, kind: 'RemoveDepartment', departmentId: 'd-1', memberCount: 0 })
      .thenRefuses('DEPARTMENT.NOT_FOUND');
    spec
      .given([sales, east])
      .when({ ...base, kind: 'RemoveDepartment', departmentId: 'd-1', memberCount: 0 })
      .thenRefuses('DEPARTMENT.HAS_SUBDEPARTMENTS');
    spec
      .given([sales])
      .when({ ...base, kind: 'RemoveDepartment', departmentId: 'd-1', memberCount: 2 })
      .thenRefuses('DEPARTMENT.HAS_MEMBERS');
  });

  it('A5: binds and unbinds external channel accounts', () => {
    spec
      .given([])
      .when({ ...base, kind: 'BindChannelAccount', bindingId: 'b-1', channel: 'whatsapp-business', externalAccountId: '+8613800000000' })
      .then([whatsapp]);
    spec
      .given([whatsapp])
      .when({ ...base, kind: 'BindChannelAccount', bindingId: 'b-1', channel: 'wechat-work', externalAccountId: 'x' })
      .thenRefuses('CHANNEL.BINDING_EXISTS');
    spec
      .given([whatsapp])
      .when({ ...base, kind: 'BindChannelAccount', bindingId: 'b-2', channel: 'whatsapp-business', externalAccountId: '+8613800000000' })
      .thenRefuses('CHANNEL.ALREADY_BOUND');
    spec
      .given([whatsapp])
      .when({ ...base, kind: 'UnbindChannelAccount', bindingId: 'b-1' })
      .then([{ type: 'ChannelAccountUnbound.v1', data: { tenantId: 'acme', bindingId: 'b-1', channel: 'whatsapp-business', unboundBy: 'user:admin' } }]);
    spec
      .given([])
      .when({ ...base, kind: 'UnbindChannelAccount', bindingId: 'b-1' })
      .thenRefuses('CHANNEL.BINDING_NOT_FOUND');
  });

  it('A9: records whether unbinding needs approval, once per change', () => {
    spec
      .given([])
      .when({ ...base, kind: 'SetUnbindingPolicy', approvalRequired: true })
      .then([{ type: 'UnbindingPolicySet.v1', data: { tenantId: 'acme', approvalRequired: true, setBy: 'user:admin' } }]);
    spec
      .given([])
      .when({ ...base, kind: 'SetUnbindingPolicy', approvalRequired: false })
      .then([]);
  });
});
