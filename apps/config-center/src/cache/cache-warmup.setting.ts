import { NAMESPACE_NAME_PATTERN } from '../common/validation';
import { SettingDefinition } from '../settings/system-settings';

export const CACHE_WARMUP_SETTING: SettingDefinition<'cache_warmup'> = {
  description:
    'cache warm-up after a start: the namespaces filled into Redis first, then the hot_keys read most recently; stops after max_seconds',
  default: { namespaces: [], hot_keys: 100, max_seconds: 10 },
  schema: {
    type: 'object',
    properties: {
      namespaces: {
        type: 'array',
        maxItems: 1000,
        uniqueItems: true,
        items: { type: 'string', pattern: NAMESPACE_NAME_PATTERN.source },
      },
      hot_keys: { type: 'integer', minimum: 0, maximum: 10_000 },
      max_seconds: { type: 'integer', minimum: 1, maximum: 300 },
    },
    required: ['namespaces', 'hot_keys', 'max_seconds'],
    additionalProperties: false,
  },
};
