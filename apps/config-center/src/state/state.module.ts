import { Module } from '@nestjs/common';
import { ReadModel } from './read-model';
import { StateService } from './state.service';

@Module({
  providers: [StateService, { provide: ReadModel, useExisting: StateService }],
  exports: [StateService, ReadModel],
})
export class StateModule {}
