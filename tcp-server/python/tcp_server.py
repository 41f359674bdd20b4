"""TCP server: tutorial 000 "TCP服务端" and "TCP服务端为多个客户端服务", with the
SO_REUSEADDR of tutorial 001. Serves clients one after another and sends back
what each one sends, until it closes.

    python3 tcp_server.py [PORT] [ENCODING]      # defaults: 8898 utf-8

Port 0 lets the OS choose; the real address is printed on stderr.
"""

# Not part of the lesson: --help, and arguments the listing would crash on,
# get a usage line (exit 2, like the Rust programs) instead of a traceback.
if __name__ == '__main__':
    import codecs
    import sys as _sys
    _USAGE = ('usage: python3 tcp-server/python/tcp_server.py [PORT [ENCODING]]\n'
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
    while True:
        # 5. wait for a client: accept returns a new socket for it
        client, (ip, client_port) = tcp_server.accept()
        print('connected: %s:%d' % (ip, client_port))
        # 6. recv/send until the client closes (recv returns b'')
        while True:
            data = client.recv(1024)
            if not data:
                break
            print('%s:%d: %s' % (ip, client_port, data.decode(encoding, 'replace')))
            client.sendall(data)
        # 7. close the client's socket
        client.close()
        print('closed: %s:%d' % (ip, client_port))
    # 8. close the server socket (not reached: Ctrl+C stops the server)
    tcp_server.close()
# ANCHOR_END: main


if __name__ == '__main__':
    main()
