import { parseAccountId, parseAccountsSearch, parseNotificationsSearch } from './search';

describe('the platform pages’ addresses', () => {
  it('reads the account queue, a tenant and a cursor, dropping what is not one', () => {
    expect(parseAccountsSearch({})).toEqual({ queue: 'verification' });
    expect(parseAccountsSearch({ queue: 'cancellations', tenant: 'acme-shop', after: '01890000-0000-7000-8000-000000000000' })).toEqual({
      queue: 'cancellations',
      tenant: 'acme-shop',
      after: '01890000-0000-7000-8000-000000000000',
    });
    expect(parseAccountsSearch({ queue: 'nope', tenant: 'Not A Tenant!', after: "1' OR 1=1" })).toEqual({ queue: 'verification' });
  });

  it('reads the notification state, dead letters by default', () => {
    expect(parseNotificationsSearch({})).toEqual({ status: 'dead' });
    expect(parseNotificationsSearch({ status: 'delivered' })).toEqual({ status: 'delivered' });
    expect(parseNotificationsSearch({ status: 'all' })).toEqual({ status: 'dead' });
  });

  it('takes only a uuid as an account id', () => {
    expect(parseAccountId('01890000-0000-7000-8000-000000000000')).toBe('01890000-0000-7000-8000-000000000000');
    expect(parseAccountId('../admin')).toBeNull();
  });
});
