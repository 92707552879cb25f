import * as fs from 'node:fs';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { ObjectStore } from '../../local/object-store';
import { handleS3 } from '../../local/s3-emulator';

/** Local mode's S3 emulator alone, on a loopback port, over a temporary folder. */
export async function startLocalS3() {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'local-s3-'));
  const store = new ObjectStore(path.join(dir, 's3'));
  const server = http.createServer((req, res) => void handleS3(store, req, res, req.url ?? '/'));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    store,
    stop: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}
