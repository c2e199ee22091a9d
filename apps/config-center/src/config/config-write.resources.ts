import { Inject, Injectable } from '@nestjs/common';
import { ValidationFailed } from '@cc/common';
import { Resource } from '@cc/resource';
import { checkKeyLength, encodeValue } from '../common/config-entry-limits';
import { APP_CONFIG, AppConfig } from '../env/app-config';
import { RequestContext } from '../http/request-context';
import { CommandResult } from '../state/command-results';
import { ConfigOperation, WriteConfig } from '../state/commands';
import { MAX_OPERATIONS_PER_ENTRY } from '../state/state-machine';
import { StateService } from '../state/state.service';
import {
  BatchWriteBody,
  ConfigWriteResult,
  CreateConfigBody,
  DeleteConfigQuery,
  UpdateConfigBody,
} from './config.dto';

type WriteConfigOf<Operation extends ConfigOperation> = WriteConfig & { operation: Operation };

/** Shared by the write resources: propose one config operation with the caller's identity. */
abstract class ConfigWriteResource<I extends object, O> extends Resource<I, O> {
  constructor(
    protected readonly state: StateService,
    protected readonly config: AppConfig,
  ) {
    super();
  }

  /** The result follows from the operation: a put's or a delete's. */
  protected async writeOperation<Operation extends ConfigOperation>(
    operation: Operation,
    context: RequestContext,
  ): Promise<CommandResult<WriteConfigOf<Operation>>> {
    checkKeyLength(operation.key, this.config.limits);
    const command: WriteConfigOf<Operation> = {
      type: 'WriteConfig',
      operation,
      at: Date.now(),
      operator: context.operator,
      idempotency: context.idempotency,
      origin: context.origin,
    };
    const { value } = await this.state.write(command, context);
    return value;
  }
}

@Injectable()
export class CreateConfigResource extends ConfigWriteResource<CreateConfigBody, ConfigWriteResult> {
  protected readonly inputSchema = CreateConfigBody;

  constructor(state: StateService, @Inject(APP_CONFIG) config: AppConfig) {
    super(state, config);
  }

  protected perform(input: CreateConfigBody, context: RequestContext) {
    return this.writeOperation(
      {
        op: 'create',
        namespace: input.namespace,
        key: input.key,
        valueText: encodeValue(input.value, this.config.limits, input.namespace),
        description: input.description ?? null,
      },
      context,
    );
  }
}

@Injectable()
export class UpdateConfigResource extends ConfigWriteResource<UpdateConfigBody, ConfigWriteResult> {
  protected readonly inputSchema = UpdateConfigBody;

  constructor(state: StateService, @Inject(APP_CONFIG) config: AppConfig) {
    super(state, config);
  }

  protected perform(input: UpdateConfigBody, context: RequestContext) {
    return this.writeOperation(
      {
        op: 'update',
        namespace: input.namespace,
        key: input.key,
        valueText: encodeValue(input.value, this.config.limits, input.namespace),
        description: input.description,
        expectedVersion: input.expected_version,
      },
      context,
    );
  }
}

@Injectable()
export class DeleteConfigResource extends ConfigWriteResource<DeleteConfigQuery, unknown> {
  protected readonly inputSchema = DeleteConfigQuery;

  constructor(state: StateService, @Inject(APP_CONFIG) config: AppConfig) {
    super(state, config);
  }

  protected perform(input: DeleteConfigQuery, context: RequestContext) {
    return this.writeOperation(
      {
        op: 'delete',
        namespace: input.namespace,
        key: input.key,
        expectedVersion: input.expected_version,
      },
      context,
    );
  }
}

/** POST /api/v1/admin/config/batch: etcd's Txn without the compare branches: all or nothing. */
@Injectable()
export class BatchWriteResource extends ConfigWriteResource<BatchWriteBody, unknown> {
  protected readonly inputSchema = BatchWriteBody;

  constructor(state: StateService, @Inject(APP_CONFIG) config: AppConfig) {
    super(state, config);
  }

  protected async perform(input: BatchWriteBody, context: RequestContext) {
    const limit = Math.min(this.config.limits.maxBatchItems, MAX_OPERATIONS_PER_ENTRY);
    if (input.operations.length > limit) {
      throw new ValidationFailed([
        { field: 'operations', errors: [`at most ${limit} operations per batch`] },
      ]);
    }
    const operations = input.operations.map((operation, index): ConfigOperation => {
      checkKeyLength(operation.key, this.config.limits, `operations.${index}.key`);
      if (operation.op === 'delete') {
        return {
          op: 'delete',
          namespace: operation.namespace,
          key: operation.key,
          expectedVersion: operation.expected_version,
        };
      }
      return {
        op: operation.op,
        namespace: operation.namespace,
        key: operation.key,
        valueText: encodeValue(
          operation.value,
          this.config.limits,
          operation.namespace,
          `operations.${index}.value`,
        ),
        description: operation.description,
        expectedVersion: operation.expected_version,
      };
    });
    const { value, revision } = await this.state.write(
      {
        type: 'WriteBatch',
        operations,
        at: Date.now(),
        operator: context.operator,
        idempotency: context.idempotency,
        origin: context.origin,
      },
      context,
    );
    return { revision, results: value.results };
  }
}
