import { SetMetadata } from '@nestjs/common';

export const PERMISSION_KEY = 'attest:permission';
export const PUBLIC_KEY = 'attest:public';
export const PURPOSE_KEY = 'attest:purpose';
export const REPLAY_OMITS_KEY = 'attest:replay-omits';
export const RECENT_SIGN_IN_KEY = 'attest:recent-sign-in';

/** The one permission a route requires. Every route has this or `@Public()`. */
export const RequirePermission = (permission: string): MethodDecorator & ClassDecorator => SetMetadata(PERMISSION_KEY, permission);

/** A route open without credentials (health, metrics, API docs). */
export const Public = (): MethodDecorator & ClassDecorator => SetMetadata(PUBLIC_KEY, true);

/** The route reads personal data: the caller must declare a purpose in `X-Purpose` (C3). */
export const RequirePurpose = (): MethodDecorator => SetMetadata(PURPOSE_KEY, true);

/**
 * The route hands out data in bulk (an export download): a console session needs a
 * recent sign-in (step-up), as for routes that read personal data (`@RequirePurpose()`).
 * API keys and bearer tokens are not affected.
 */
export const RequireRecentSignIn = (): MethodDecorator => SetMetadata(RECENT_SIGN_IN_KEY, true);

/**
 * Fields of the response that a replay for the same Idempotency-Key must not
 * repeat (secrets shown once are never stored).
 */
export const ReplayOmits = (...fields: string[]): MethodDecorator => SetMetadata(REPLAY_OMITS_KEY, fields);
