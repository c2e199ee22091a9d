import { Injectable } from '@nestjs/common';
import { Resource } from '@cc/resource';
import { pageAnswerBytes } from '../common/page-bound';
import { isoTime, pagination } from '../common/validation';
import { enterIfExpensive } from '../http/expensive-reads';
import { RequestContext } from '../http/request-context';
import { ConfigRecord, NamespaceRecord } from '../state/records';
import { StateService } from '../state/state.service';
import { ListConfigQuery } from './config.dto';

/** GET /api/v1/admin/config/list: from the applied view; `key` is a case-insensitive substring. */
@Injectable()
export class ListConfigResource extends Resource<ListConfigQuery, unknown> {
  protected readonly inputSchema = ListConfigQuery;

  constructor(private readonly state: StateService) {
    super();
  }

  protected perform(input: ListConfigQuery, context: RequestContext) {
    const reader = this.state.reader;
    const namespaces =
      input.namespace === undefined
        ? reader.namespaces().filter((ns) => context.mayUseNamespace(ns.name))
        : [reader.namespaceByName(input.namespace)].filter(
            (ns): ns is NamespaceRecord => ns !== undefined,
          );
    const needle = input.key?.toLowerCase();
    const matching: Array<{ namespace: NamespaceRecord; config: ConfigRecord }> = [];
    for (const namespace of namespaces) {
      for (const config of reader.liveConfigs(namespace.id)) {
        if (needle === undefined || config.key.toLowerCase().includes(needle))
          matching.push({ namespace, config });
      }
    }
    const page = input.page ?? 1;
    const pageSize = input.page_size ?? 20;
    const rows = matching.slice((page - 1) * pageSize, page * pageSize);
    const sizes = rows.map(
      ({ config }) =>
        Buffer.byteLength(config.valueText) + Buffer.byteLength(config.description ?? ''),
    );
    enterIfExpensive(context, pageAnswerBytes(sizes));
    return {
      list: rows.map(({ namespace, config }) => ({
        id: config.id,
        namespace: namespace.name,
        key: config.key,
        value: config.value,
        version: config.version,
        description: config.description,
        status: config.status,
        revision: config.revision,
        updated_at: isoTime(config.updatedAt),
        updated_by: config.updatedBy,
      })),
      pagination: pagination(page, pageSize, matching.length),
    };
  }
}
