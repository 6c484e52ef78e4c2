/**
 * Purpose-built apps that provoke every answer of the router: each path of `labApp` misbehaves
 * in one documented way (a sleeper, a socket closer, a half-responder, a listener that stops
 * accepting...), and `crasherApp` never boots.
 */

const LAB_SERVER = String.raw`
const http = require('http');
const { spawn } = require('child_process');
const port = Number(process.env.PORT);
const dyno = process.env.DYNO;
const release = process.env.RELEASE || 'r1';

const server = http.createServer((req, res) => {
  const u = new URL(req.url, 'http://lab');
  switch (u.pathname) {
    case '/':
      return res.end('lab ' + release + ' from ' + dyno);
    case '/headers':
      res.setHeader('content-type', 'application/json');
      res.setHeader('connection', 'x-secret-hop');
      res.setHeader('x-secret-hop', 'must not reach the client');
      return res.end(JSON.stringify({ headers: req.headers, httpVersion: req.httpVersion }));
    case '/sleep':
      return void setTimeout(() => res.end('slept'), Number(u.searchParams.get('ms')));
    case '/stall':
      res.writeHead(200, { 'content-type': 'text/plain' });
      res.flushHeaders();
      return;
    case '/close':
      return void req.socket.destroy();
    case '/half':
      res.writeHead(200, { 'content-length': '1000' });
      res.write('only the start');
      return void setTimeout(() => req.socket.destroy(), 50);
    case '/upload': {
      let n = 0;
      req.on('data', (c) => { n += c.length; });
      return void req.on('end', () => res.end(String(n)));
    }
    case '/sse': {
      res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
      let i = 0;
      const t = setInterval(() => {
        res.write('data: tick ' + i + '\n\n');
        if (++i === 5) { clearInterval(t); res.end(); }
      }, 30);
      return;
    }
    case '/stop-listening':
      // Connection refused from now on (H21).
      res.end('closing');
      // Still running (a process with nothing to do would exit and be restarted as crashed).
      setInterval(() => undefined, 1 << 30);
      return void setImmediate(() => { server.close(); server.closeAllConnections(); });
    case '/stop-accepting': {
      // A listener whose queue is full: connections are never accepted (H19).
      res.end('full');
      return void setImmediate(() => {
        server.close();
        server.closeAllConnections();
        const py = 'import socket,time\n' +
          's=socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)\n' +
          's.bind(("127.0.0.1",' + port + ')); s.listen(0)\n' +
          'f=[]\n' +
          'for i in range(3):\n' +
          '  c=socket.socket(); c.setblocking(False)\n' +
          '  try: c.connect(("127.0.0.1",' + port + '))\n' +
          '  except BlockingIOError: pass\n' +
          '  f.append(c)\n' +
          'time.sleep(600)\n';
        spawn('python3', ['-c', py], { stdio: 'inherit' });
      });
    }
    default:
      res.statusCode = 404;
      return res.end('no such path');
  }
});
// A raw echo behind an Upgrade: the router must tunnel bytes both ways.
server.on('upgrade', (req, socket) => {
  socket.write('HTTP/1.1 101 Switching Protocols\r\nUpgrade: echo\r\nConnection: Upgrade\r\n\r\n');
  socket.pipe(socket);
});
server.keepAliveTimeout = 65000;
server.listen(port, '127.0.0.1');
`;

export const labApp = {
  Procfile: 'web: node server.js\n',
  'package.json': JSON.stringify({ name: 'lab', version: '1.0.0' }),
  'server.js': LAB_SERVER,
};

/** A web process that exits at once, every time: its dynos end up crashed. */
export const crasherApp = {
  Procfile: 'web: node -e "process.exit(3)"\n',
  'package.json': JSON.stringify({ name: 'crasher', version: '1.0.0' }),
};
