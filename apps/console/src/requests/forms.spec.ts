import { extensionBody, identityNote, intakeBody, isManual, reasonLines, type IntakeForm } from './forms';

const utc = (local: string) => new Date(`${local}Z`);
const form: IntakeForm = {
  customerId: ' c-1 ',
  type: 'deletion',
  channel: 'letter',
  relation: 'self',
  email: '',
  phone: '+8613800000000',
  receivedAt: '2026-11-20T08:00',
};

describe('manual intake', () => {
  it('builds the body with the moment received for a manual channel', () => {
    expect(intakeBody(form, utc)).toEqual({
      body: {
        customerId: 'c-1',
        type: 'deletion',
        channel: 'letter',
        requester: { relation: 'self', contact: { phone: '+8613800000000' } },
        receivedAt: '2026-11-20T08:00:00.000Z',
      },
    });
  });

  it('leaves receivedAt out when empty', () => {
    const result = intakeBody({ ...form, receivedAt: '' }, utc);
    expect('body' in result && !('receivedAt' in result.body)).toBe(true);
  });

  it('refuses a moment received for web and API requests, and says what is missing', () => {
    expect(intakeBody({ ...form, channel: 'web' }, utc)).toEqual({ errors: ['receivedAtNotManual'] });
    expect(intakeBody({ ...form, customerId: ' ', type: 'x', channel: '', relation: '', phone: '', receivedAt: 'soon' }, utc)).toEqual({
      errors: ['customer', 'type', 'channel', 'relation', 'contact', 'receivedAt'],
    });
  });

  it('knows the manual channels', () => {
    expect(['phone', 'letter', 'email', 'in-person', 'web', 'api'].map((c) => isManual(c))).toEqual([true, true, true, true, false, false]);
  });
});

describe('the other forms', () => {
  it('writes the identity note as method and reference, and needs a reference', () => {
    expect(identityNote('ID card seen in person', ' desk log 42 ')).toBe('ID card seen in person — desk log 42');
    expect(identityNote('ID card seen in person', '  ')).toBeNull();
  });

  it('builds an extension only when complete', () => {
    expect(extensionBody(' Many systems ', '2027-02-22', '2027-01-02T10:00', utc)).toEqual({
      reason: 'Many systems',
      dueOn: '2027-02-22',
      requesterToldAt: '2027-01-02T10:00:00.000Z',
    });
    expect(extensionBody('', '2027-02-22', '2027-01-02T10:00', utc)).toBeNull();
    expect(extensionBody('r', '22/02/2027', '2027-01-02T10:00', utc)).toBeNull();
  });

  it('splits reasons by line', () => {
    expect(reasonLines(' a \n\n b')).toEqual(['a', 'b']);
  });
});
