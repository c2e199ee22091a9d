import { MetadataStorage, getMetadataStorage } from 'class-validator';

type Lookup = MetadataStorage['getTargetValidationMetadatas'];
type Grouping = MetadataStorage['groupByPropertyName'];
type ValidationMetadata = ReturnType<Lookup>[number];

const installed = new WeakSet<MetadataStorage>();

/**
 * class-validator looks a class's rules up on every validate call, walking every decorated
 * class of the process to find inherited rules, then groups them by property: a third of the
 * time it spends on a request body. Rules only change when a class is declared, so the answer
 * is remembered per (class, options) and forgotten whenever a rule is added.
 */
export function installValidationMetadataCache(): void {
  const storage = getMetadataStorage();
  if (installed.has(storage)) return;
  installed.add(storage);

  let lookups = new Map<unknown, Map<string, ValidationMetadata[]>>();
  let groupings = new WeakMap<ValidationMetadata[], ReturnType<Grouping>>();
  const forget = () => {
    lookups = new Map();
    groupings = new WeakMap();
  };

  const lookup: Lookup = storage.getTargetValidationMetadatas.bind(storage);
  storage.getTargetValidationMetadatas = (target, schema, always, strictGroups, groups) => {
    const key = `${schema}\u0000${always}\u0000${strictGroups}\u0000${groups?.join('\u0001') ?? ''}`;
    let byOptions = lookups.get(target);
    if (!byOptions) lookups.set(target, (byOptions = new Map()));
    let rules = byOptions.get(key);
    if (!rules) byOptions.set(key, (rules = lookup(target, schema, always, strictGroups, groups)));
    return rules;
  };

  const group: Grouping = storage.groupByPropertyName.bind(storage);
  storage.groupByPropertyName = (rules) => {
    let grouped = groupings.get(rules);
    if (!grouped) groupings.set(rules, (grouped = group(rules)));
    return grouped;
  };

  for (const name of [
    'addValidationMetadata',
    'addConstraintMetadata',
    'addValidationSchema',
  ] as const) {
    const add = storage[name].bind(storage) as (item: never) => void;
    (storage[name] as (item: never) => void) = (item: never) => {
      forget();
      add(item);
    };
  }
}
