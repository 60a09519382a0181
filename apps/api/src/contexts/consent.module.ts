import { Inject, Injectable, Module, type DynamicModule, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { CONSENT_PROJECTOR, CONSENT_READ_MODEL, consentHandlers, DECISION_FACTS } from '@attest/consent-application';
import { ConsentsController, DecisionsController, PurposesController } from '@attest/consent-api';
import { DecisionFactsCache, PostgresConsentReadModel } from '@attest/consent-infrastructure';
import { decisionFactsCache, inlineProjector, type AppDependencies } from './dependencies';

/** Decision facts follow the log while the app runs (ADR 0016). */
@Injectable()
class FollowTheLog implements OnApplicationBootstrap, OnApplicationShutdown {
  constructor(@Inject(DecisionFactsCache) private readonly cache: DecisionFactsCache) {}

  onApplicationBootstrap(): void {
    this.cache.start();
  }

  async onApplicationShutdown(): Promise<void> {
    await this.cache.stop();
  }
}

/** Applied inline after a consent command; `customers` shows the consent summary in the CRM list; `messaging` cancels waiting messages a withdrawal ends. */
export const CONSENT_INLINE = ['consent', 'customers', 'messaging'] as const;

/** Consent and decisions (K1–K8, P3): purposes, consents with receipts, processing decisions. */
@Module({})
export class ConsentModule {
  static forRoot(deps: AppDependencies): DynamicModule {
    return {
      module: ConsentModule,
      controllers: [PurposesController, ConsentsController, DecisionsController],
      providers: [
        { provide: CONSENT_READ_MODEL, useValue: new PostgresConsentReadModel(deps.appDataSource, deps.dataSource) },
        { provide: CONSENT_PROJECTOR, useValue: inlineProjector(deps, CONSENT_INLINE) },
        { provide: DecisionFactsCache, useValue: decisionFactsCache(deps) },
        { provide: DECISION_FACTS, useExisting: DecisionFactsCache },
        FollowTheLog,
        ...consentHandlers,
      ],
    };
  }
}
