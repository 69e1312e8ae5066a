// The folders of tasks/ whose contents are the queue's state, in lifecycle order.
export type StateFolder = 'pending' | 'assigned' | 'completed' | 'failed';
export const STATE_FOLDERS: readonly StateFolder[] = ['pending', 'assigned', 'completed', 'failed'];
