import { CloudApiSimulator, type SimulatedNumber } from '@attest/messaging-simulator';

/**
 * `attest whatsapp-simulator`: the local stand-in of the WhatsApp Business Cloud API with one
 * business number and a few templates, for development. Its credentials are for loopback only
 * (printed on start, as they are useless elsewhere); set ATTEST_WA_SIM_ACCESS_TOKEN,
 * ATTEST_WA_SIM_APP_SECRET and ATTEST_WA_SIM_VERIFY_TOKEN to choose others.
 */
export function developmentNumber(env: NodeJS.ProcessEnv, callbackUrl: string | undefined): SimulatedNumber {
  return {
    phoneNumberId: '100000000000001',
    displayPhoneNumber: '15550001111',
    businessAccountId: '200000000000001',
    accessToken: env['ATTEST_WA_SIM_ACCESS_TOKEN'] ?? 'simulator-access-token',
    appSecret: env['ATTEST_WA_SIM_APP_SECRET'] ?? 'simulator-app-secret',
    verifyToken: env['ATTEST_WA_SIM_VERIFY_TOKEN'] ?? 'simulator-verify-token',
    ...(callbackUrl !== undefined ? { callbackUrl } : {}),
  };
}

export const DEVELOPMENT_TEMPLATES = [
  { id: '900000000000001', name: 'order_update', language: 'en_US', category: 'UTILITY' as const, body: 'Hello {{1}}, your order {{2}} has shipped.' },
  { id: '900000000000002', name: 'spring_sale', language: 'en_US', category: 'MARKETING' as const, body: 'Spring sale: {{1}} off everything today.' },
  { id: '900000000000003', name: 'login_code', language: 'en_US', category: 'AUTHENTICATION' as const, body: 'Your sign-in code is {{1}}.' },
  { id: '900000000000004', name: 'order_update', language: 'zh_CN', category: 'UTILITY' as const, body: '{{1}}，您的订单 {{2}} 已发货。' },
];

export async function startDevelopmentSimulator(
  port: number,
  callbackUrl: string | undefined,
  env: NodeJS.ProcessEnv,
  out: (line: string) => void,
): Promise<CloudApiSimulator> {
  const number = developmentNumber(env, callbackUrl);
  const simulator = new CloudApiSimulator({ port, numbers: [number], templates: DEVELOPMENT_TEMPLATES });
  const base = await simulator.start();
  out(`WhatsApp Cloud API stand-in on ${base} (Graph version in the path, e.g. ${base}/v23.0/${number.phoneNumberId}/messages)`);
  out(`  phone number id ${number.phoneNumberId}, business account ${number.businessAccountId}, display number +${number.displayPhoneNumber}`);
  out(`  access token "${number.accessToken}", app secret "${number.appSecret}", verify token "${number.verifyToken ?? ''}" (loopback only)`);
  out(`  templates: ${DEVELOPMENT_TEMPLATES.map((t) => `${t.name} (${t.language}, ${t.category})`).join(', ')}`);
  if (callbackUrl === undefined) out('  no --callback: statuses and inbound messages are not delivered anywhere');
  else {
    out(`  webhooks go to ${callbackUrl}, signed with the app secret`);
    out(`  subscription handshake: ${(await simulator.handshake(number.phoneNumberId)) ? 'answered' : 'not answered (is the API running?)'}`);
  }
  out(`  a person writes:        curl -X POST ${base}/_simulator/inbound -H 'content-type: application/json' -d '{"from":"8613800000001","text":"STOP"}'`);
  out(
    `  a person stops ads:     curl -X POST ${base}/_simulator/user-preferences -H 'content-type: application/json' -d '{"waId":"8613800000001","value":"stop"}'`,
  );
  out(
    `  a template is paused:   curl -X POST ${base}/_simulator/template-status -H 'content-type: application/json' -d '{"name":"spring_sale","language":"en_US","event":"PAUSED"}'`,
  );
  out(
    `  a recipient fails:      curl -X POST ${base}/_simulator/faults -H 'content-type: application/json' -d '{"to":"8613800000002","code":131026,"mode":"async"}'`,
  );
  return simulator;
}
