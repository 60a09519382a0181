export { AUTHENTICATOR, AuthenticationError, type AuthenticatedPrincipal, type Authenticator } from '@attest/security';
