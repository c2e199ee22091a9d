import { Module } from '@nestjs/common';
import { StateModule } from '../state/state.module';
import { NamespaceController } from './namespace.controller';
import {
  CreateNamespaceResource,
  DeleteNamespaceResource,
  ExportNamespaceResource,
  ImportNamespaceResource,
  ListNamespaceResource,
  UpdateNamespaceResource,
} from './namespace.resources';

@Module({
  imports: [StateModule],
  controllers: [NamespaceController],
  providers: [
    CreateNamespaceResource,
    UpdateNamespaceResource,
    DeleteNamespaceResource,
    ListNamespaceResource,
    ExportNamespaceResource,
    ImportNamespaceResource,
  ],
})
export class NamespaceModule {}
