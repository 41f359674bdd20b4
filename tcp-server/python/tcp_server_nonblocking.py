"""A TCP echo server in one thread with non-blocking sockets: tutorial 002's
setblocking(False). accept, recv and send never wait: when nothing is there
they raise BlockingIOError, and the loop asks the next socket. The Python twin
of `tcp-server --mode nonblocking`.

    python3 tcp_server_nonblocking.py [PORT [ENCODING]]   # defaults: 8898 utf-8

Port 0 lets the OS choose; the real address is printed on stderr.
"""

# Not part of the lesson: --help, and arguments the listing would crash on,
# get a usage line (exit 2, like the Rust programs) instead of a traceback.
if __name__ == '__main__':
    import codecs
    import sys as _sys
    _USAGE = ('usage: python3 tcp-server/python/tcp_server_nonblocking.py [PORT [ENCODING]]\n'
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
import time


# ANCHOR: steps
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
    tcp_server.setblocking(False)  # accept and recv raise BlockingIOError, never wait
    clients = {}  # client socket -> [its address, the bytes it has not taken yet]
    while True:
        try:
            # 5. accept a client, if one waits
            client, addr = tcp_server.accept()
            client.setblocking(False)
            print('connected: %s:%d' % addr)
            clients[client] = [addr, b'']
        except BlockingIOError:  # nobody waits: nap, instead of asking again at once
            time.sleep(0.002)
        for client, (addr, outbox) in list(clients.items()):
            try:
                # 6. send what waits, else recv what arrived (each may raise BlockingIOError)
                if outbox:
                    clients[client][1] = outbox[client.send(outbox):]
                    continue
                data = client.recv(1024)
            except BlockingIOError:
                continue
            except OSError:  # reset by the client, or gone
                data = b''
            if data:
                print('%s:%d: %s' % (*addr, data.decode(encoding, 'replace')))
                clients[client][1] = data
                continue
            # 7. forget the client, close its socket
            del clients[client]
            client.close()
            print('closed: %s:%d' % addr)
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
