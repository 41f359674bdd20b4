"""TCP client: tutorial 000 "TCP客户端", tutorial 003 tcp_send_client/tcp_recv_client,
tutorial 004 example 2. Sends each message and prints the reply to it.

    python3 tcp_client.py [PORT] [ENCODING] [MESSAGE...]   # defaults: 8898 utf-8
    (no MESSAGE: each line of stdin is a message)
"""

# Not part of the lesson: --help, and arguments the listing would crash on,
# get a usage line (exit 2, like the Rust programs) instead of a traceback.
if __name__ == '__main__':
    import codecs
    import sys as _sys
    _USAGE = ('usage: python3 tcp-client/python/tcp_client.py [PORT [ENCODING [MESSAGE ...]]]\n'
              'defaults: 8898 utf-8, then each line of stdin')
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
    messages = sys.argv[3:] or (line.rstrip('\n') for line in sys.stdin)
    # 1. create a TCP socket
    tcp_socket = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    # 2. connect to the server (the three-way handshake)
    tcp_socket.connect(('127.0.0.1', port))
    for message in messages:
        if not message:
            continue
        # 3. send the data (sendall: send may take only part of it)
        tcp_socket.sendall(message.encode(encoding))
        # 4. receive the reply: at most 1024 bytes
        data = tcp_socket.recv(1024)
        print(data.decode(encoding, 'replace'))
    # 5. close the socket
    tcp_socket.close()
# ANCHOR_END: main


if __name__ == '__main__':
    main()
