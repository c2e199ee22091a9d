import { Module } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { SqlTransactions } from '../database/sql-writer';
import { Applier } from './applier';
import { ReadModel } from './read-model';
import { SqlApplier } from './sql-applier';
import { StateService } from './state.service';
import { StateView } from './state-view';

/**
 * The applied state and the write path. The CommandLog that StateService writes through comes
 * from RaftModule (a global module): the single-node log or the Raft log, by configuration.
 */
@Module({
  providers: [
    { provide: StateView, useFactory: () => new StateView() },
    {
      provide: SqlTransactions,
      inject: [DataSource],
      useFactory: (dataSource: DataSource) => new SqlTransactions(dataSource),
    },
    { provide: Applier, useClass: SqlApplier },
    StateService,
    { provide: ReadModel, useExisting: StateService },
  ],
  exports: [StateService, ReadModel, StateView, SqlTransactions, Applier],
})
export class StateModule {}
