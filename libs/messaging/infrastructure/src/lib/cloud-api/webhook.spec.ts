import { answerHandshake, parseWebhook, signatureMatches, signatureOf } from './webhook';

const SECRET = 'app-secret-of-the-number';

describe('the Cloud API webhook signature (X-Hub-Signature-256)', () => {
  const raw = Buffer.from('{"object":"whatsapp_business_account","entry":[]}');

  it('accepts the HMAC-SHA256 of the raw body under the app secret, upper or lower case', () => {
    const header = signatureOf(raw, SECRET);
    expect(header).toMatch(/^sha256=[0-9a-f]{64}$/);
    expect(signatureMatches(raw, header, SECRET)).toBe(true);
    expect(signatureMatches(raw, `sha256=${header.slice(7).toUpperCase()}`, SECRET)).toBe(true);
  });

  it('refuses a missing, malformed, truncated or foreign signature, and a body changed by one byte', () => {
    const header = signatureOf(raw, SECRET);
    expect(signatureMatches(raw, undefined, SECRET)).toBe(false);
    expect(signatureMatches(raw, header.slice(7), SECRET)).toBe(false);
    expect(signatureMatches(raw, header.slice(0, -2), SECRET)).toBe(false);
    expect(signatureMatches(raw, signatureOf(raw, 'another secret'), SECRET)).toBe(false);
    const changed = Buffer.from(raw);
    changed[10] = 0x41;
    expect(signatureMatches(changed, header, SECRET)).toBe(false);
    // Re-serialised JSON is another body: only the raw bytes are signed.
    const reserialised = Buffer.from(JSON.stringify(JSON.parse(raw.toString()), null, 1));
    expect(signatureMatches(reserialised, header, SECRET)).toBe(false);
  });
});

describe('the subscription handshake (GET)', () => {
  it('echoes the challenge for subscribe with the right verify token, refuses anything else with 403', () => {
    expect(answerHandshake({ 'hub.mode': 'subscribe', 'hub.verify_token': 'tok', 'hub.challenge': '1158201444' }, 'tok')).toEqual({
      status: 200,
      body: '1158201444',
    });
    expect(answerHandshake({ 'hub.mode': 'subscribe', 'hub.verify_token': 'tak', 'hub.challenge': '1' }, 'tok').status).toBe(403);
    expect(answerHandshake({ 'hub.mode': 'unsubscribe', 'hub.verify_token': 'tok', 'hub.challenge': '1' }, 'tok').status).toBe(403);
    expect(answerHandshake({ 'hub.mode': 'subscribe', 'hub.verify_token': 'tok' }, 'tok').status).toBe(403);
    expect(answerHandshake({ 'hub.mode': 'subscribe', 'hub.verify_token': ['tok'], 'hub.challenge': '1' }, 'tok').status).toBe(403);
  });
});

describe('the webhook envelope flattened', () => {
  const metadata = { display_phone_number: '15550001111', phone_number_id: '100000000000001' };

  it('reads statuses (string timestamps, errors, the echoed reference), inbound texts and buttons, template changes and user preferences', () => {
    const parsed = parseWebhook({
      object: 'whatsapp_business_account',
      entry: [
        {
          id: '200000000000001',
          changes: [
            {
              field: 'messages',
              value: {
                messaging_product: 'whatsapp',
                metadata,
                statuses: [
                  { id: 'wamid.A', status: 'delivered', timestamp: '1764900000', recipient_id: '8613800000001', biz_opaque_callback_data: 'msg-1' },
                  {
                    id: 'wamid.B',
                    status: 'failed',
                    timestamp: '1764900001',
                    recipient_id: '8613800000002',
                    errors: [{ code: 131050, title: 'stopped', error_data: { details: 'The recipient stopped marketing' } }],
                  },
                ],
                messages: [
                  { from: '8613800000003', id: 'wamid.C', timestamp: '1764900002', type: 'text', text: { body: 'STOP' } },
                  {
                    from: '8613800000004',
                    id: 'wamid.D',
                    timestamp: '1764900003',
                    type: 'button',
                    button: { payload: 'STOP_PROMOTIONS', text: 'Stop promotions' },
                  },
                  {
                    from: '8613800000005',
                    id: 'wamid.E',
                    timestamp: '1764900004',
                    type: 'interactive',
                    interactive: { type: 'button_reply', button_reply: { id: 'unsubscribe', title: 'No more' } },
                  },
                ],
              },
            },
            {
              field: 'message_template_status_update',
              value: {
                event: 'PAUSED',
                message_template_id: 1689556908129832,
                message_template_name: 'spring_sale',
                message_template_language: 'en_US',
                reason: 'NONE',
              },
            },
            {
              field: 'user_preferences',
              value: {
                messaging_product: 'whatsapp',
                metadata,
                user_preferences: [{ wa_id: '8613800000006', category: 'marketing_messages', value: 'stop', timestamp: 1764900005 }],
              },
            },
          ],
        },
      ],
    });
    expect(parsed?.skipped).toBe(0);
    expect(parsed?.notifications).toEqual([
      {
        kind: 'status',
        phoneNumberId: '100000000000001',
        wamid: 'wamid.A',
        status: 'delivered',
        at: new Date(1764900000_000),
        recipient: '8613800000001',
        reference: 'msg-1',
        errors: [],
      },
      {
        kind: 'status',
        phoneNumberId: '100000000000001',
        wamid: 'wamid.B',
        status: 'failed',
        at: new Date(1764900001_000),
        recipient: '8613800000002',
        reference: null,
        errors: [{ code: 131050, details: 'The recipient stopped marketing' }],
      },
      {
        kind: 'inbound',
        phoneNumberId: '100000000000001',
        messageId: 'wamid.C',
        from: '8613800000003',
        at: new Date(1764900002_000),
        text: 'STOP',
        button: null,
        errors: [],
      },
      {
        kind: 'inbound',
        phoneNumberId: '100000000000001',
        messageId: 'wamid.D',
        from: '8613800000004',
        at: new Date(1764900003_000),
        text: null,
        button: 'STOP_PROMOTIONS',
        errors: [],
      },
      {
        kind: 'inbound',
        phoneNumberId: '100000000000001',
        messageId: 'wamid.E',
        from: '8613800000005',
        at: new Date(1764900004_000),
        text: null,
        button: 'unsubscribe',
        errors: [],
      },
      // The template id keeps every digit (a JSON number of 16 digits is still exact here; a string is kept as it is).
      {
        kind: 'template-status',
        businessAccountId: '200000000000001',
        templateId: '1689556908129832',
        name: 'spring_sale',
        language: 'en_US',
        event: 'PAUSED',
        reason: 'NONE',
      },
      {
        kind: 'user-preference',
        phoneNumberId: '100000000000001',
        waId: '8613800000006',
        category: 'marketing_messages',
        value: 'stop',
        at: new Date(1764900005_000),
      },
    ]);
  });

  it('counts what it cannot read instead of guessing, and refuses what is not a WhatsApp Business Account webhook', () => {
    const parsed = parseWebhook({
      object: 'whatsapp_business_account',
      entry: [
        {
          id: '1',
          changes: [
            {
              field: 'messages',
              value: {
                messaging_product: 'whatsapp',
                metadata,
                statuses: [{ id: 'wamid.X', status: 'sent', timestamp: 'yesterday', recipient_id: '1' }, { status: 'read' }],
              },
            },
            { field: 'account_update', value: {} },
            'nonsense',
          ],
        },
      ],
    });
    expect(parsed).toEqual({ notifications: [], skipped: 4 });
    expect(parseWebhook({ object: 'page', entry: [] })).toBeNull();
    expect(parseWebhook('[]')).toBeNull();
  });
});
