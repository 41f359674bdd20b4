"""A TCP echo server with a thread for each client: the next step after
serving clients one after another (tutorial 000 "TCP服务端为多个客户端服务").
The same steps as tcp_server.py; only steps 6 and 7 move into a thread of
their own, so the next accept need not wait. The Python twin of
`tcp-server --mode threads`, and its peer in the benchmark.

    python3 tcp_server_threads.py [PORT [ENCODING]]   # defaults: 8898 utf-8

Port 0 lets the OS choose; the real address is printed on stderr.
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

import socket
import sys
import threading


# ANCHOR: steps
def serve_client(client, addr, encoding):
    """Steps 6 and 7 for one client, in the thread of its own."""
    while True:
        data = client.recv(1024)
        if not data:  # b'': the client closed its side
            break
        print('%s:%d: %s' % (*addr, data.decode(encoding, 'replace')))
        client.sendall(data)
    client.close()
    print('closed: %s:%d' % addr)


def serve(port=8898, encoding='utf-8'):
    # 1. create a TCP socket
    tcp_server = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    # 2. reuse the address: a restart need not wait for TIME_WAIT
    tcp_server.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    # 3. bind the local address
    tcp_server.bind(('127.0.0.1', port))
    # 4. listen: the socket turns passive, clients queue up (backlog 128)
    tcp_server.listen(128)
    print('listening on %s:%d' % tcp_server.getsockname(), file=sys.stderr, flush=True)
    while True:
        # 5. wait for a client: accept returns a new socket for it
        client, addr = tcp_server.accept()
        print('connected: %s:%d' % addr)
        # 6. recv/send until it closes, in a thread of its own (serve_client)
        # 7. which then closes the client's socket
        thread = threading.Thread(target=serve_client, args=(client, addr, encoding))
        thread.daemon = True  # Ctrl+C does not wait for the clients
        thread.start()
    # 8. close the server socket (not reached: Ctrl+C stops the server)
    tcp_server.close()
# ANCHOR_END: steps


if __name__ == '__main__':
    args = sys.argv[1:]
    if len(args) > 2 or not all(arg.isdigit() for arg in args[:1]):
        sys.exit(__doc__.strip())
    try:
        serve(*[int(port) for port in args[:1]], *args[1:2])
    except KeyboardInterrupt:
        pass
