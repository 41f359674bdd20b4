"""A TCP echo server with a thread for each client (socketserver.ThreadingTCPServer):
the next step after serving clients one after another. The Python peer of
`tcp-server --mode threads` in the benchmark.

    python3 tcp_server_threads.py [PORT] [ENCODING]   # defaults: 8898 utf-8
"""

# Not part of the lesson: --help, and arguments the listing would crash on,
# get a usage line (exit 2, like the Rust programs) instead of a traceback.
if __name__ == '__main__':
    import codecs
    import sys as _sys
    _USAGE = ('usage: python3 tcp-server/python/tcp_server_threads.py [PORT [ENCODING]]\n'
              'defaults: 8898 utf-8')
    _args = _sys.argv[1:]
    if _args[:1] in (['-h'], ['--help']):
        print(_USAGE)
        _sys.exit(0)
    _problem = None
    for _at, _what in ((0, 'a port number'),):
        if len(_args) > _at and not _args[_at].isdigit():
            _problem = '%r is not %s' % (_args[_at], _what)
    if len(_args) > 1:
        try:
            codecs.lookup(_args[1])
        except LookupError:
            _problem = 'unknown encoding %r' % _args[1]
    if _args[:1] and _args[0].startswith('-'):
        _problem = 'unknown option %r (the arguments are positional)' % _args[0]
    if _problem:
        print(_USAGE, file=_sys.stderr)
        print('error: ' + _problem, file=_sys.stderr)
        _sys.exit(2)

import socketserver
import sys

ENCODING = sys.argv[2] if len(sys.argv) > 2 else 'utf-8'


# ANCHOR: handler
class EchoHandler(socketserver.BaseRequestHandler):
    def handle(self):  # runs in its own thread for each client
        ip, port = self.client_address
        print('connected: %s:%d' % (ip, port))
        while True:
            data = self.request.recv(1024)
            if not data:
                break
            print('%s:%d: %s' % (ip, port, data.decode(ENCODING, 'replace')))
            self.request.sendall(data)
        print('closed: %s:%d' % (ip, port))


class Server(socketserver.ThreadingTCPServer):
    allow_reuse_address = True   # SO_REUSEADDR
    daemon_threads = True        # Ctrl+C does not wait for clients
    request_queue_size = 128     # listen(128)
# ANCHOR_END: handler


def main():
    port = int(sys.argv[1]) if len(sys.argv) > 1 else 8898
    with Server(('127.0.0.1', port), EchoHandler) as server:
        print('listening on %s:%d' % server.server_address, file=sys.stderr, flush=True)
        server.serve_forever()


if __name__ == '__main__':
    main()
