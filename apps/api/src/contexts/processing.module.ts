import { Module, type DynamicModule } from '@nestjs/common';
import { PROCESSING_RECORD, PROCESSING_REGISTER } from '@attest/processing-application';
import { ProcessingRecordController, ProcessingRegisterController } from '@attest/processing-api';
import { PostgresProcessingRecordService, PostgresProcessingRegister } from '@attest/processing-infrastructure';
import { systemClock } from '@attest/kernel';
import type { AppDependencies } from './dependencies';

/** The processing record and register (P1–P6): the signed log, its proofs and queries; no projection inline (the record is appended by its worker). */
@Module({})
export class ProcessingModule {
  static forRoot(deps: AppDependencies): DynamicModule {
    const clock = deps.clock ?? systemClock;
    return {
      module: ProcessingModule,
      controllers: [ProcessingRecordController, ProcessingRegisterController],
      providers: [
        {
          provide: PROCESSING_RECORD,
          useValue: new PostgresProcessingRecordService(deps.recordLog.withApp(deps.appDataSource), deps.appDataSource, deps.privacy, clock),
        },
        { provide: PROCESSING_REGISTER, useValue: new PostgresProcessingRegister(deps.appDataSource, clock) },
      ],
      exports: [PROCESSING_RECORD],
    };
  }
}
