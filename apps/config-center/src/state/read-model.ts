import { StateReader } from './state-view';

export type Consistency = 'serializable' | 'linearizable';

/**
 * What client reads need: the applied view and, for `consistency=linearizable`, a barrier.
 * StateService is the node's own; a read worker holds a replica fed by the node (workers/).
 */
export abstract class ReadModel {
  abstract readonly reader: StateReader;
  abstract readBarrier(consistency: Consistency | undefined): Promise<void>;
}
