"""A TCP echo server in one thread that waits for readiness with the standard
`selectors` module (epoll on Linux, kqueue on macOS): the kernel says which
sockets can be read or written, so idle clients cost no CPU and no thread.
The Python twin of `tcp-server --mode poll`, and its peer in the benchmark.

    python3 tcp_server_selectors.py [PORT] [ENCODING]   # defaults: 8898 utf-8

Port 0 lets the OS choose; the real address is printed on stderr.
"""

# Not part of the lesson: --help, and arguments the listing would crash on,
# get a usage line (exit 2, like the Rust programs) instead of a traceback.
if __name__ == '__main__':
    import codecs
    import sys as _sys
    _USAGE = ('usage: python3 tcp-server/python/tcp_server_selectors.py [PORT [ENCODING]]\n'
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

import selectors
import socket
import sys


# ANCHOR: main
def main():
    port = int(sys.argv[1]) if len(sys.argv) > 1 else 8898
    encoding = sys.argv[2] if len(sys.argv) > 2 else 'utf-8'
    # 1. create a TCP socket
    tcp_server = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    # 2. reuse the address: a restart need not wait for TIME_WAIT
    tcp_server.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    # 3. bind the local address
    tcp_server.bind(('127.0.0.1', port))
    # 4. listen: the socket turns passive, clients queue up (backlog 128)
    tcp_server.listen(128)
    print('listening on %s:%d' % tcp_server.getsockname(), file=sys.stderr, flush=True)
    # The new part: a selector, with the listening socket registered in it.
    tcp_server.setblocking(False)
    selector = selectors.DefaultSelector()
    selector.register(tcp_server, selectors.EVENT_READ)
    outboxes = {}  # client socket -> the bytes it has not taken yet
    while True:
        # Wait until the kernel says which sockets are ready: no busy loop.
        for key, events in selector.select():
            client, addr = key.fileobj, key.data
            if client is tcp_server:
                # 5. accept the client that waits: accept cannot block now
                try:
                    client, addr = tcp_server.accept()
                except OSError:  # the client gave up while it waited
                    continue
                client.setblocking(False)
                print('connected: %s:%d' % addr)
                outboxes[client] = b''
                selector.register(client, selectors.EVENT_READ, addr)
                continue
            try:
                if events & selectors.EVENT_WRITE:
                    # 6. send what waits; once it is all taken, read again
                    sent = client.send(outboxes[client])
                    outboxes[client] = outboxes[client][sent:]
                    if not outboxes[client]:
                        selector.modify(client, selectors.EVENT_READ, addr)
                    continue
                # 6. recv: bytes (or the close) arrived, recv cannot block now
                data = client.recv(1024)
            except OSError:  # reset by the client, or gone
                data = b''
            if data:
                print('%s:%d: %s' % (*addr, data.decode(encoding, 'replace')))
                outboxes[client] = data
                selector.modify(client, selectors.EVENT_WRITE, addr)
                continue
            # 7. forget the client, close its socket
            selector.unregister(client)
            del outboxes[client]
            client.close()
            print('closed: %s:%d' % addr)
    # 8. close the server socket (not reached: Ctrl+C stops the server)
    tcp_server.close()
# ANCHOR_END: main


if __name__ == '__main__':
    main()
