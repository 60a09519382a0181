import { consentGrantedV1ToV2, type ConsentGranted, type ConsentGrantedV1 } from '@attest/consent-domain';
import type { Upcaster } from '@attest/event-store';

/** How the consent context's superseded event types read as their successors (the runtime hands them to the upcasting store). */
export const consentUpcasters: readonly Upcaster[] = [
  { from: 'ConsentGranted.v1', to: 'ConsentGranted.v2', upcast: consentGrantedV1ToV2 } satisfies Upcaster<ConsentGrantedV1, ConsentGranted>,
];
