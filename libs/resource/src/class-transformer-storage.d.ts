// class-transformer keeps its decorator metadata here and ships no typings for the path
// (@nestjs/mapped-types reads it the same way).
declare module 'class-transformer/cjs/storage' {
  import type { MetadataStorage } from 'class-transformer/types/MetadataStorage';

  export const defaultMetadataStorage: MetadataStorage;
}
