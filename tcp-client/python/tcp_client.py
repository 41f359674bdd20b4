"""tcp_client.py: tutorial 000 "TCP客户端", tutorial 003's tcp_send_client and
tutorial 004's example 2, in Python 3. Sends each message and prints the reply to it.

Usage: python3 tcp_client.py [--send-only] [--timeout SECS] [PORT [ENCODING [MESSAGE...]]]
Defaults: 8898 utf-8, and each line of stdin is a message. --send-only reads no
replies (tutorial 003); --timeout is settimeout(SECS) (tutorial 002).
"""

# Not part of the lesson: --help, and arguments the listing would crash on,
# get a usage line (exit 2, like the Rust programs) instead of a traceback.
if __name__ == '__main__':
    import codecs
    import sys as _sys
    _USAGE = ('usage: python3 tcp-client/python/tcp_client.py [--send-only] [--timeout SECS] '
              '[PORT [ENCODING [MESSAGE ...]]]\n'
              'defaults: 8898 utf-8, then each line of stdin')
    _args = _sys.argv[1:]
    if _args[:1] in (['-h'], ['--help']):
        print(_USAGE)
        _sys.exit(0)
    # The options the twin takes come first: skip them for the checks below.
    while _args[:1] == ['--send-only'] or (
            _args[:1] == ['--timeout'] and _args[1:2] and _args[1].replace('.', '', 1).isdigit()):
        _args = _args[2:] if _args[0] == '--timeout' else _args[1:]
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


# ANCHOR: steps
def talk(messages, to=('127.0.0.1', 8898), encoding='utf-8', timeout=None, replies=True):
    # 1. create a TCP socket (创建socket)
    tcp_socket = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    if timeout:  # optional (tutorial 002): set it first, connect uses it too
        tcp_socket.settimeout(timeout)
    # 2. connect to the server (链接服务器): the three-way handshake
    tcp_socket.connect(to)
    peer, me = tcp_socket.getpeername(), tcp_socket.getsockname()  # tutorial 002
    print('connected to %s:%d from %s:%d' % (peer + me), file=sys.stderr)
    for message in messages:
        if not message:  # b'' sends nothing, and its reply would never come
            continue
        # 3. send the data (发送数据): sendall, as one send may take only part
        tcp_socket.sendall(message.encode(encoding))
        if replies:  # optional: tutorial 003's tcp_send_client only sends
            # 4. receive the reply (接收数据): at most 1024 bytes
            data = tcp_socket.recv(1024)
            print(data.decode(encoding, 'replace'))
    # 5. close the socket (关闭套接字)
    tcp_socket.close()
# ANCHOR_END: steps


if __name__ == '__main__':
    args = sys.argv[1:]
    options = {}
    while args[:1] in (['--send-only'], ['--timeout']):
        if args.pop(0) == '--send-only':
            options['replies'] = False
        elif args[:1] and args[0].replace('.', '', 1).isdigit():
            options['timeout'] = float(args.pop(0))
        else:
            sys.exit('usage: --timeout takes SECS, a number\n\n' + __doc__.strip())
    if args[:1] and not args[0].isdigit():
        sys.exit(f'usage: PORT must be a number, not {args[0]!r}\n\n' + __doc__.strip())
    port = int(args[0]) if args else 8898
    encoding = args[1] if len(args) > 1 else 'utf-8'
    messages = args[2:] or (line.rstrip('\n') for line in sys.stdin)
    talk(messages, ('127.0.0.1', port), encoding, **options)
