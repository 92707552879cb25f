/**
 * The ceiling for the local server's benchmark: a plain Node.js HTTP server that reads the request and answers the
 * same JSON local mode answers (given in base64 as the argument), with no work in between.
 *
 *   tsx bench/ceiling-server.ts <base64 JSON>     prints the server's URL, then serves until stdin closes
 */
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';

const answer = Buffer.from(process.argv[2] ?? '', 'base64');
const server = http.createServer((req, res) => {
  req.resume();
  req.on('end', () => {
    res.writeHead(200, { 'content-type': 'application/json', 'content-length': answer.length });
    res.end(answer);
  });
});
server.listen(0, '127.0.0.1', () => {
  process.stdout.write(`http://127.0.0.1:${(server.address() as AddressInfo).port}\n`);
});
process.stdin.resume();
process.stdin.on('end', () => {
  server.closeAllConnections();
  server.close(() => process.exit(0));
});
