/** The in-memory task store (the rule and conformance tests' store) keeps the task store contract. */
import { MemoryTaskStore } from '../../local/memory-task-store';
import { taskStoreContract } from '../lambda/shared/review/task-store-contract';

describe('MemoryTaskStore', () => {
  taskStoreContract(() => Promise.resolve({ store: new MemoryTaskStore(), close: () => Promise.resolve() }));
});
