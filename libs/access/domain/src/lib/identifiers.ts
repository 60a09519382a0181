/** Tenant ids: lowercase letters, digits and dashes; never a name or other personal data. */
const TENANT_ID = /^[a-z0-9][a-z0-9-]{1,62}$/;
/**
 * Subject ids of users (the OIDC `sub`): opaque identifiers only. An e-mail
 * address or phone number is refused, since it would be personal data in
 * every event's actor field.
 */
const SUBJECT_ID = /^[A-Za-z0-9][A-Za-z0-9._:-]{0,127}$/;

export function isTenantId(value: string): boolean {
  return TENANT_ID.test(value);
}

export function isSubjectId(value: string): boolean {
  return SUBJECT_ID.test(value) && !/^\+?[0-9]{6,}$/.test(value);
}
