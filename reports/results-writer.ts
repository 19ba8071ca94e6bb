// allure-results written as allure's own FileSystemWriter writes them (same file names, same bytes, each file
// appearing whole through a rename from a temporary name) but without an fsync per file: one fsync per result,
// container and attachment was the largest wall-clock cost of a virtual-time run (~6 ms each on a busy disk).
// The files are synced together when the run ends (syncAll), so a finished run is as durable as before; a
// process that dies mid-run keeps what it wrote (the rename is atomic, the page cache outlives the process).

import { randomUUID } from 'node:crypto';
import { mkdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { join } from 'node:path';
import type { Globals, TestResult, TestResultContainer } from 'allure-js-commons';
import type { Category, EnvironmentInfo } from 'allure-js-commons/sdk';
import { FileSystemWriter, type Writer } from 'allure-js-commons/sdk/reporter';

export class BatchSyncWriter implements Writer {
  /** The rare writes (environment, categories, globals, copied files) go through allure's own writer unchanged. */
  private readonly own: FileSystemWriter;
  private unsynced: string[] = [];

  constructor(readonly resultsDir: string) {
    this.own = new FileSystemWriter({ resultsDir });
  }

  writeResult(result: TestResult): void {
    this.write(`${result.uuid}-result.json`, JSON.stringify(result));
  }

  writeGroup(result: TestResultContainer): void {
    this.write(`${result.uuid}-container.json`, JSON.stringify(result));
  }

  writeAttachment(distFileName: string, content: Buffer): void {
    this.write(distFileName, new Uint8Array(content.buffer, content.byteOffset, content.byteLength)); // a view, not a copy
  }

  writeAttachmentFromPath(distFileName: string, from: string): void {
    this.own.writeAttachmentFromPath(distFileName, from);
  }

  writeEnvironmentInfo(info: EnvironmentInfo): void {
    this.own.writeEnvironmentInfo(info);
  }

  writeCategoriesDefinitions(categories: Category[]): void {
    this.own.writeCategoriesDefinitions(categories);
  }

  writeGlobals(distFileName: string, info: Globals): void {
    this.own.writeGlobals(distFileName, info);
  }

  /** fsync every file written since the last call, a few at a time in parallel (the journal commits them together). */
  async syncAll(): Promise<void> {
    const files = this.unsynced.splice(0);
    const next = () => files.pop();
    const worker = async () => {
      for (let f = next(); f !== undefined; f = next()) {
        const h = await open(f, 'r').catch(() => undefined); // a file removed since is nothing to keep
        if (!h) continue;
        try {
          await h.sync();
        } finally {
          await h.close();
        }
      }
    };
    await Promise.all(Array.from({ length: 4 }, worker));
  }

  private write(name: string, data: string | Uint8Array): void {
    mkdirSync(this.resultsDir, { recursive: true });
    const path = join(this.resultsDir, name);
    const temp = join(this.resultsDir, `.allure-write-${randomUUID()}.tmp`);
    try {
      writeFileSync(temp, data);
      renameSync(temp, path);
    } catch (e) {
      rmSync(temp, { force: true });
      throw e;
    }
    this.unsynced.push(path);
  }
}
