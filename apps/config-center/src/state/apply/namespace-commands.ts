import { NamespaceExists, NamespaceNotEmpty, NamespaceNotFound } from '@cc/common';
import { DeletedNamespace } from '../command-results';
import { CreateNamespace, DeleteNamespace, UpdateNamespace } from '../commands';
import { NamespaceRecord } from '../records';
import { refuse, systemNamespaceRefusal } from '../system-namespace';
import { ApplyContext } from './apply-context';

export function createNamespace(context: ApplyContext, command: CreateNamespace): NamespaceRecord {
  if (context.view.namespaceByName(command.name)) throw new NamespaceExists(command.name);
  return addNamespace(context, command.name, command.description);
}

export function addNamespace(
  context: ApplyContext,
  name: string,
  description: string | null,
): NamespaceRecord {
  const record: NamespaceRecord = {
    id: context.ids.take('namespace'),
    name,
    description,
    status: 1,
    revision: context.index,
    createdAt: context.command.at,
    updatedAt: context.command.at,
  };
  context.view.setNamespace(record);
  context.mutations.push({ kind: 'saveNamespace', record, isNew: true });
  return record;
}

export function updateNamespace(context: ApplyContext, command: UpdateNamespace): NamespaceRecord {
  const current = context.view.namespaceById(command.id);
  if (!current) throw new NamespaceNotFound(command.id);
  refuse(systemNamespaceRefusal(current, command));
  const record: NamespaceRecord = {
    ...current,
    description: command.description === undefined ? current.description : command.description,
    status: command.status === undefined ? current.status : command.status,
    revision: context.index,
    updatedAt: command.at,
  };
  context.view.setNamespace(record);
  context.mutations.push({ kind: 'saveNamespace', record, isNew: false });
  return record;
}

export function deleteNamespace(context: ApplyContext, command: DeleteNamespace): DeletedNamespace {
  const current = context.view.namespaceById(command.id);
  if (!current) throw new NamespaceNotFound(command.id);
  refuse(systemNamespaceRefusal(current, command));
  const live = context.view.liveConfigs(current.id).length;
  if (live > 0) throw new NamespaceNotEmpty(current.name, live);
  context.view.deleteNamespace(current.id);
  context.mutations.push({ kind: 'deleteNamespace', id: current.id });
  return { id: current.id, name: current.name };
}
