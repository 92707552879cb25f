/**
 * Human loops as the A2I runtime keeps them, one JSON file each in the data folder, loaded at start (a damaged file
 * is named in the error) and written on every change.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { DataDirError } from './data-dir';

export type LoopStatus = 'InProgress' | 'Completed' | 'Failed' | 'Stopping' | 'Stopped';

export interface StoredAnswer {
  readonly workerId: string;
  readonly workerName: string;
  readonly answerContent: Record<string, unknown>;
  readonly acceptanceTime: string;
  readonly submissionTime: string;
  readonly timeSpentInSeconds: number;
}

export interface StoredLoop {
  readonly name: string;
  readonly arn: string;
  readonly flowDefinitionArn: string;
  readonly creationTime: string;
  /** InputContent exactly as StartHumanLoop received it. */
  readonly inputContent: string;
  readonly contentClassifiers?: string[];
  status: LoopStatus;
  answers: StoredAnswer[];
  failureCode?: string;
  failureReason?: string;
  outputS3Uri?: string;
}

export class LoopStore {
  private readonly loops = new Map<string, StoredLoop>();

  constructor(private readonly dir: string) {
    for (const file of fs.readdirSync(dir).filter((f) => f.endsWith('.json'))) {
      const full = path.join(dir, file);
      try {
        const loop = JSON.parse(fs.readFileSync(full, 'utf8')) as StoredLoop;
        if (typeof loop.name !== 'string' || typeof loop.status !== 'string' || !Array.isArray(loop.answers))
          throw new Error('missing fields');
        // A stop that was under way when the server stopped has finished.
        if (loop.status === 'Stopping') loop.status = 'Stopped';
        this.loops.set(loop.name, loop);
      } catch (error) {
        throw new DataDirError(
          `Human loop file ${full} is damaged (${(error as Error).message}). Delete it, or move the data folder away.`,
        );
      }
    }
  }

  get(name: string): StoredLoop | undefined {
    return this.loops.get(name);
  }

  all(): StoredLoop[] {
    return [...this.loops.values()];
  }

  save(loop: StoredLoop): void {
    this.loops.set(loop.name, loop);
    const file = path.join(this.dir, `${loop.name}.json`);
    fs.writeFileSync(`${file}.tmp`, JSON.stringify(loop, null, 2));
    fs.renameSync(`${file}.tmp`, file);
  }

  delete(name: string): void {
    this.loops.delete(name);
    fs.rmSync(path.join(this.dir, `${name}.json`), { force: true });
  }
}
