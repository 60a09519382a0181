import { Module, type DynamicModule } from '@nestjs/common';
import { CUSTOMERS_PROJECTOR, CUSTOMERS_READ_MODEL, customersHandlers } from '@attest/customers-application';
import { CustomersController } from '@attest/customers-api';
import { PostgresCustomersReadModel } from '@attest/customers-infrastructure';
import { ReplicaReads } from '@attest/projections';
import { inlineProjector, type AppDependencies } from './dependencies';

/** Applied inline after a customers command; `consent` keeps the decision facts of the subject; `messaging` cancels a restricted subject's waiting messages and drops an erased one's content. */
export const CUSTOMERS_INLINE = ['customers', 'consent', 'messaging'] as const;

/** Customers (C1–C3): classified, encrypted profiles. */
@Module({})
export class CustomersModule {
  static forRoot(deps: AppDependencies): DynamicModule {
    return {
      module: CustomersModule,
      controllers: [CustomersController],
      providers: [
        {
          provide: CUSTOMERS_READ_MODEL,
          useValue: new PostgresCustomersReadModel(
            deps.appDataSource,
            deps.privacy,
            new ReplicaReads({
              primary: deps.appDataSource,
              replica: deps.replicaDataSource ?? null,
              storeKind: deps.store.kind,
              ...(deps.projectionPartitions ? { partitions: deps.projectionPartitions } : {}),
              registry: deps.registry,
              logger: deps.logger,
            }),
          ),
        },
        { provide: CUSTOMERS_PROJECTOR, useValue: inlineProjector(deps, CUSTOMERS_INLINE) },
        ...customersHandlers,
      ],
      exports: [CUSTOMERS_READ_MODEL],
    };
  }
}
