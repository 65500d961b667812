// A member whose HTTP parser is not the amphora's: Node's own http server, that is llhttp, in its
// strict mode (and one port in Node's lenient mode, insecureHTTPParser). It answers every request
// it reads whole with an empty 200 that carries the request's number, and reports on stdout, one
// JSON object a line, every connection, every request head (method, target, version) and body
// (digest), every parse error, every upgrade and every close. Its ports are given as arguments:
// strict ones, and "lenient=<port>" for lenient ones.
//
// stdin takes one command a line: "close <port>" destroys every connection accepted on that
// port, once what they have already received is read, and answers {"e":"closed","p":<port>}.
'use strict';
const http = require('http');
const crypto = require('crypto');
const readline = require('readline');

let connections = 0;
let requests = 0;
const sockets = new Map(); // port -> Set of sockets
const say = (event) => process.stdout.write(JSON.stringify(event) + '\n');
const digest = (bytes) => crypto.createHash('sha256').update(bytes).digest('hex').slice(0, 16);

function serve(port, insecureHTTPParser) {
  const answer = (req, res) => {
    // The head is reported as it is parsed, in the order of the stream; the body when it ends.
    const n = ++requests;
    say({ e: 'head', c: req.socket.lbaasId, n, m: req.method, u: req.url, v: req.httpVersion });
    const body = [];
    req.on('data', (chunk) => body.push(chunk));
    req.on('end', () => {
      const bytes = Buffer.concat(body);
      say({ e: 'body', c: req.socket.lbaasId, n, b: digest(bytes), bl: bytes.length });
      res.sendDate = false;
      res.writeHead(200, { 'X-Seq': String(n), 'Content-Length': '0' });
      res.end();
    });
  };
  const server = http.createServer({
    insecureHTTPParser,
    requireHostHeader: false, // the amphora's own rule; here only the parser is under test
    maxHeaderSize: 65536,     // above the amphora's limits, so that they are what refuses
    joinDuplicateHeaders: false,
  }, answer);
  // Expectations other than 100-continue are served as any request, rather than answered 417.
  server.on('checkExpectation', answer);
  server.keepAliveTimeout = 0;
  server.headersTimeout = 0;
  server.requestTimeout = 0;
  server.on('connection', (socket) => {
    socket.lbaasId = ++connections;
    if (!sockets.has(port)) sockets.set(port, new Set());
    sockets.get(port).add(socket);
    say({ e: 'conn', c: socket.lbaasId, lp: port, rp: socket.remotePort });
    socket.on('close', () => {
      sockets.get(port).delete(socket);
      say({ e: 'close', c: socket.lbaasId });
    });
  });
  server.on('clientError', (err, socket) => {
    say({ e: 'err', c: socket.lbaasId, code: err.code || String(err), reason: err.reason || '' });
    socket.destroy();
  });
  // An upgrade or a tunnel ends HTTP on the connection for llhttp right after the head: what
  // follows it (rest, the body included) is reported with the head's framing, for a reader that
  // goes on with HTTP to compare with. What follows is all the connection brings until its peer
  // ends it, not only what came with the head: the rest may arrive in later reads.
  const upgrade = (req, socket, rest) => {
    const n = ++requests;
    const parts = [rest];
    let reported = false;
    const report = () => {
      if (reported) return;
      reported = true;
      say({ e: 'upgrade', c: socket.lbaasId, n, m: req.method, u: req.url, v: req.httpVersion,
        rest: Buffer.concat(parts).toString('latin1'), cl: req.headers['content-length'],
        te: req.headers['transfer-encoding'] });
      socket.destroy();
    };
    socket.on('data', (chunk) => parts.push(chunk));
    socket.on('end', report);
    socket.on('close', report);
    socket.on('error', report);
    socket.resume();
  };
  server.on('upgrade', upgrade);
  server.on('connect', upgrade);
  server.listen(port, '127.0.0.1', () => say({ e: 'listening', p: port, lenient: insecureHTTPParser }));
}

for (const arg of process.argv.slice(2)) {
  if (arg.startsWith('lenient=')) serve(Number(arg.slice(8)), true);
  else serve(Number(arg), false);
}

readline.createInterface({ input: process.stdin }).on('line', (line) => {
  const [command, value] = line.trim().split(/\s+/);
  if (command !== 'close') return;
  const port = Number(value);
  // What the sockets have received but not yet read is read first: a timer fires after the
  // poll phase that delivers it.
  setTimeout(() => {
    const open = [...(sockets.get(port) || [])];
    let left = open.length;
    if (left === 0) return say({ e: 'closed', p: port });
    for (const socket of open) {
      socket.once('close', () => { if (--left === 0) say({ e: 'closed', p: port }); });
      socket.destroy();
    }
  }, 5);
});
process.stdin.on('end', () => process.exit(0));
