/**
 * Local mode's task store: the loops in memory, each also a JSON file in the data folder, loaded when the server
 * starts (a damaged file is named in the error) and written after every change. Writes of one loop are serialized,
 * each to a temporary file renamed into place, so a file always holds a whole loop.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { LoopRecord } from '../lambda/shared/review/tasks';
import { DataDirError } from './data-dir';
import { MemoryTaskStore } from './memory-task-store';

export class FileTaskStore extends MemoryTaskStore {
  private readonly writes = new Map<string, Promise<void>>();

  constructor(private readonly dir: string) {
    super();
    for (const file of fs.readdirSync(dir).filter((f) => f.endsWith('.json'))) {
      const full = path.join(dir, file);
      try {
        const loop = JSON.parse(fs.readFileSync(full, 'utf8')) as LoopRecord;
        if (typeof loop.name !== 'string' || typeof loop.status !== 'string' || !Array.isArray(loop.answers))
          throw new Error('missing fields');
        this.loops.set(loop.name, loop);
      } catch (error) {
        throw new DataDirError(
          `Human loop file ${full} is damaged (${(error as Error).message}). Delete it, or move the data folder away.`,
        );
      }
    }
  }

  override async putIfAbsent(loop: LoopRecord): Promise<boolean> {
    return (await super.putIfAbsent(loop)) && (await this.persist(loop.name), true);
  }

  override async replace(loop: LoopRecord, expectedVersion: number): Promise<boolean> {
    return (await super.replace(loop, expectedVersion)) && (await this.persist(loop.name), true);
  }

  override async delete(name: string, expectedVersion: number): Promise<boolean> {
    return (await super.delete(name, expectedVersion)) && (await this.persist(name), true);
  }

  /** Writes the loop as it is now in memory (or removes its file), after the writes of it already under way. */
  private persist(name: string): Promise<void> {
    const file = path.join(this.dir, `${name}.json`);
    const write = (this.writes.get(name) ?? Promise.resolve()).then(async () => {
      const loop = this.loops.get(name);
      if (loop === undefined) {
        await fs.promises.rm(file, { force: true });
        return;
      }
      await fs.promises.writeFile(`${file}.tmp`, JSON.stringify(loop, null, 2));
      await fs.promises.rename(`${file}.tmp`, file);
    });
    this.writes.set(name, write);
    return write;
  }
}
