// A smart-HTTP git server for tests: `git http-backend` (CGI) behind a Node HTTP server on 127.0.0.1 that
// demands HTTP basic auth with one token, like github.com does. Records the Authorization headers it saw.
import { spawn, execFileSync } from 'node:child_process';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface GitHttpServer {
  url: string;
  /** Every Authorization header received (undefined when none was sent). */
  authorizations: Array<string | undefined>;
  close(): Promise<void>;
}

export async function startGitHttpServer(
  projectRoot: string,
  token: string,
  username = 'x-access-token',
): Promise<GitHttpServer> {
  const execPath = execFileSync('git', ['--exec-path']).toString().trim();
  const expected = 'Basic ' + Buffer.from(`${username}:${token}`).toString('base64');
  const authorizations: Array<string | undefined> = [];
  const server: Server = createServer((req, res) => {
    const auth = req.headers.authorization;
    authorizations.push(auth);
    if (!auth || auth.toLowerCase() !== expected.toLowerCase()) {
      // Compare the scheme case-insensitively but the credentials exactly.
      if (!auth || auth.slice(auth.indexOf(' ') + 1) !== expected.slice(6)) {
        res.writeHead(401, { 'WWW-Authenticate': 'Basic realm="test"', 'content-type': 'text/plain' });
        res.end('Authentication required\n');
        req.resume();
        return;
      }
    }
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const env: Record<string, string> = {
      PATH: process.env.PATH ?? '/usr/bin:/bin',
      GIT_PROJECT_ROOT: projectRoot,
      GIT_HTTP_EXPORT_ALL: '1',
      PATH_INFO: decodeURIComponent(url.pathname),
      QUERY_STRING: url.search.replace(/^\?/, ''),
      REQUEST_METHOD: req.method ?? 'GET',
      CONTENT_TYPE: req.headers['content-type'] ?? '',
      REMOTE_USER: username,
      REMOTE_ADDR: '127.0.0.1',
      GIT_CONFIG_NOSYSTEM: '1',
      HOME: projectRoot,
    };
    if (req.headers['content-encoding']) env.HTTP_CONTENT_ENCODING = String(req.headers['content-encoding']);
    if (req.headers['git-protocol']) env.GIT_PROTOCOL = String(req.headers['git-protocol']);
    const cgi = spawn(`${execPath}/git-http-backend`, [], { env });
    req.pipe(cgi.stdin);
    let head = Buffer.alloc(0);
    let headersDone = false;
    cgi.stdout.on('data', (chunk: Buffer) => {
      if (headersDone) {
        res.write(chunk);
        return;
      }
      head = Buffer.concat([head, chunk]);
      const sep = head.indexOf('\r\n\r\n');
      if (sep === -1) return;
      headersDone = true;
      let status = 200;
      const headers: Record<string, string> = {};
      for (const line of head.subarray(0, sep).toString().split('\r\n')) {
        const i = line.indexOf(':');
        const k = line.slice(0, i).trim();
        const v = line.slice(i + 1).trim();
        if (k.toLowerCase() === 'status') status = parseInt(v, 10);
        else headers[k] = v;
      }
      res.writeHead(status, headers);
      res.write(head.subarray(sep + 4));
    });
    cgi.on('close', () => res.end());
    cgi.stderr.resume();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    authorizations,
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
