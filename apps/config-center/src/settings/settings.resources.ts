import { Injectable } from '@nestjs/common';
import { Resource } from '@cc/resource';
import { isoTime } from '../common/validation';
import { SYSTEM_NAMESPACE } from '../state/system-namespace';
import { SettingsRegistry } from './settings-registry';
import { SettingsQuery, SettingsView } from './settings.dto';

/** GET /api/v1/admin/settings: every registered key with its schema, value, version and default. */
@Injectable()
export class ListSettingsResource extends Resource<SettingsQuery, SettingsView> {
  protected readonly inputSchema = SettingsQuery;

  constructor(private readonly registry: SettingsRegistry) {
    super();
  }

  protected perform(): SettingsView {
    return {
      namespace: SYSTEM_NAMESPACE,
      list: this.registry.keys().map((key) => {
        const definition = this.registry.definition(key);
        const record = this.registry.record(key);
        return {
          key,
          description: definition.description,
          schema: definition.schema,
          default: definition.default,
          value: this.registry.get(key),
          version: record?.version ?? null,
          revision: record?.revision ?? null,
          updated_at: record ? isoTime(record.updatedAt) : null,
          updated_by: record?.updatedBy ?? null,
        };
      }),
    };
  }
}
