/** Local mode's task stores keep the task store contract; the file store also keeps loops across a restart. */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { FileTaskStore } from '../../local/file-task-store';
import { MemoryTaskStore } from '../../local/memory-task-store';
import { startLoop } from '../../lambda/shared/review/tasks';
import { taskStoreContract } from '../lambda/shared/review/task-store-contract';
import { flowSettings } from '../lambda/shared/review/task-backend';

const tempDir = () => fs.mkdtempSync(path.join(os.tmpdir(), 'task-store-'));

describe('MemoryTaskStore', () => {
  taskStoreContract(() => Promise.resolve({ store: new MemoryTaskStore(), close: () => Promise.resolve() }));
});

describe('FileTaskStore', () => {
  taskStoreContract(() => {
    const dir = tempDir();
    return Promise.resolve({
      store: new FileTaskStore(dir),
      close: () => fs.promises.rm(dir, { recursive: true, force: true }),
    });
  });

  test('a restart finds every stored change, and no deleted loop', async () => {
    const dir = tempDir();
    const store = new FileTaskStore(dir);
    const flow = flowSettings('sentiment-review-0a1b2c3d');
    const make = (name: string) => startLoop(undefined, { name, input: { n: name } }, flow, new Date()).loop;
    await store.putIfAbsent(make('kept'));
    await store.replace({ ...make('kept'), status: 'Stopping', version: 1 }, 0);
    await store.putIfAbsent(make('gone'));
    await store.delete('gone', 0);
    const reopened = new FileTaskStore(dir);
    expect(await reopened.get('kept')).toMatchObject({ status: 'Stopping', version: 1 });
    expect(await reopened.get('gone')).toBeUndefined();
    expect(fs.readdirSync(dir).sort()).toEqual(['kept.json']);
  });
});
