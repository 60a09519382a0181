import { overviewMatrix, parseConsentSearch, parseReceiptId, type PurposeOverview } from './consent';

describe('consent page: the receipt in the URL', () => {
  it('keeps a receipt id (any case, trimmed) and drops anything else', () => {
    expect(parseConsentSearch({ receipt: ' 01A24294-5866-7000-910B-9C49F037D836 ' })).toEqual({ receipt: '01a24294-5866-7000-910b-9c49f037d836' });
    expect(parseConsentSearch({ receipt: 'not-a-receipt' })).toEqual({});
    expect(parseConsentSearch({ receipt: 42 })).toEqual({});
    expect(parseReceiptId('')).toBeUndefined();
  });
});

describe('consent page: the overview as purposes × channels', () => {
  const overview: PurposeOverview[] = [
    {
      purposeKey: 'newsletter',
      version: 2,
      granted: 3,
      withdrawn: 1,
      channels: [
        { channel: 'sms', granted: 0, withdrawn: 1 },
        { channel: 'email', granted: 3, withdrawn: 0 },
      ],
    },
    { purposeKey: 'analytics', version: 1, granted: 0, withdrawn: 0, channels: [] },
    { purposeKey: 'loyalty', version: 1, granted: 1, withdrawn: 0, channels: [{ channel: 'whatsapp', granted: 1, withdrawn: 0 }] },
  ];

  it('puts every channel across once, by name, and each purpose down, by key, with an empty cell where no one consented', () => {
    const matrix = overviewMatrix(overview);
    expect(matrix.channels).toEqual(['email', 'sms', 'whatsapp']);
    expect(matrix.rows.map((r) => r.purposeKey)).toEqual(['analytics', 'loyalty', 'newsletter']);
    expect(matrix.rows[0]?.cells).toEqual([null, null, null]);
    expect(matrix.rows[2]).toEqual({
      purposeKey: 'newsletter',
      version: 2,
      total: { granted: 3, withdrawn: 1 },
      cells: [{ granted: 3, withdrawn: 0 }, { granted: 0, withdrawn: 1 }, null],
    });
  });

  it('an empty register is an empty matrix', () => {
    expect(overviewMatrix([])).toEqual({ channels: [], rows: [] });
  });
});
