// The handler's forms as the API wants them: manual intake (POST /v1/data-subject-requests), the
// identity check's note (a method and a reference, never a document), an extension's body.
import type { components } from '../api/schema';
import { REQUEST_CHANNELS, REQUEST_TYPES, type RequestChannel, type RequestType } from './search';

/** The body the server takes (POST /v1/data-subject-requests). */
export type ReceiveBody = components['schemas']['ReceiveRequestDto'];
export type Relation = ReceiveBody['requester']['relation'];
export const RELATIONS = ['self', 'guardian', 'authorized-agent'] as const satisfies readonly Relation[];

/** The channels whose requests carry the moment they actually arrived (`receivedAt`); web and API ones arrive when sent. */
export const MANUAL_CHANNELS = ['phone', 'letter', 'email', 'in-person'] as const satisfies readonly RequestChannel[];
export const isManual = (channel: string): boolean => MANUAL_CHANNELS.some((manual) => manual === channel);

/** What the intake form holds (strings, as inputs give them). */
export interface IntakeForm {
  readonly customerId: string;
  readonly type: string;
  readonly channel: string;
  readonly relation: string;
  readonly email: string;
  readonly phone: string;
  /** A `datetime-local` value (the browser's zone), or empty: now. */
  readonly receivedAt: string;
}

/** Why a form cannot be sent yet (an i18n key's last part). */
export type IntakeError = 'customer' | 'type' | 'channel' | 'relation' | 'contact' | 'receivedAt' | 'receivedAtNotManual';

const oneOf = <T extends string>(choices: readonly T[], value: string): T | undefined => choices.find((choice) => choice === value);
const LOCAL = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2})?$/;

/**
 * The POST body for the form, or what is missing. The moment received is the browser's local time
 * turned into an instant (`toInstant`, the browser's zone by default) and is only sent for manual channels.
 */
export function intakeBody(
  form: IntakeForm,
  toInstant: (local: string) => Date = (local) => new Date(local),
): { body: ReceiveBody } | { errors: IntakeError[] } {
  const errors: IntakeError[] = [];
  const type: RequestType | undefined = oneOf(REQUEST_TYPES, form.type);
  const channel: RequestChannel | undefined = oneOf(REQUEST_CHANNELS, form.channel);
  const relation: Relation | undefined = oneOf(RELATIONS, form.relation);
  const customerId = form.customerId.trim();
  const email = form.email.trim();
  const phone = form.phone.trim();
  if (customerId === '') errors.push('customer');
  if (!type) errors.push('type');
  if (!channel) errors.push('channel');
  if (!relation) errors.push('relation');
  if (email === '' && phone === '') errors.push('contact');
  let receivedAt: string | undefined;
  if (form.receivedAt.trim() !== '') {
    const at = LOCAL.test(form.receivedAt) ? toInstant(form.receivedAt) : null;
    if (at === null || Number.isNaN(at.getTime())) errors.push('receivedAt');
    else if (channel && !isManual(channel)) errors.push('receivedAtNotManual');
    else receivedAt = at.toISOString();
  }
  if (errors.length > 0 || !type || !channel || !relation) return { errors };
  return {
    body: {
      customerId,
      type,
      channel,
      requester: { relation, contact: { ...(email === '' ? {} : { email }), ...(phone === '' ? {} : { phone }) } },
      ...(receivedAt ? { receivedAt } : {}),
    },
  };
}

/** How a handler checked an identity. The API keeps a note; the console writes it as "method — reference". */
export const IDENTITY_METHODS = ['id-seen-in-person', 'call-back-known-number', 'signed-letter', 'customer-account', 'other'] as const;
export type IdentityMethod = (typeof IDENTITY_METHODS)[number];

/** The identity check's note: the method's words and the handler's reference (a ticket, a desk log line), never a document's content. */
export function identityNote(methodWords: string, reference: string): string | null {
  const ref = reference.trim();
  return ref === '' ? null : `${methodWords} — ${ref}`;
}

/** An extension's body; null while a field is missing. `toldAt` is a `datetime-local` value. */
export function extensionBody(
  reason: string,
  dueOn: string,
  toldAt: string,
  toInstant: (local: string) => Date = (local) => new Date(local),
): components['schemas']['ExtendDto'] | null {
  if (reason.trim() === '' || !/^\d{4}-\d{2}-\d{2}$/.test(dueOn) || !LOCAL.test(toldAt)) return null;
  const at = toInstant(toldAt);
  if (Number.isNaN(at.getTime())) return null;
  return { reason: reason.trim(), dueOn, requesterToldAt: at.toISOString() };
}

/** Reasons typed one per line. */
export const reasonLines = (text: string): string[] =>
  text
    .split('\n')
    .map((r) => r.trim())
    .filter((r) => r !== '');
