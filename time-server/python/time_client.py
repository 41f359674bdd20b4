"""time_client.py: tutorial 001 "时间服务器client", in Python 3.

Sends each typed strftime format to the time server and prints the answer
(an empty line asks for the server's default; Ctrl+D ends).

Usage: python3 time_client.py [PORT [ENCODING]]
Defaults: 9000 utf-8
"""

# Not part of the lesson: --help, and arguments the listing would crash on,
# get a usage line (exit 2, like the Rust programs) instead of a traceback.
if __name__ == '__main__':
    import codecs
    import sys as _sys
    _USAGE = ('usage: python3 time-server/python/time_client.py [PORT [ENCODING]]\n'
              'defaults: 9000 utf-8')
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

import sys
from socket import *


# ANCHOR: steps
def ask(ip_port=('127.0.0.1', 9000), encoding='utf-8', bufsize=1024):
    # 1. create a UDP socket (创建套接字); the tutorial calls it tcp_client
    udp_client = socket(AF_INET, SOCK_DGRAM)
    while True:
        # 2. read a format (请输入时间格式); Ctrl+D ends
        try:
            msg = input('请输入时间格式(例%Y %m %d)>>: ').strip()
        except EOFError:
            break
        # 3. send it (发送)
        udp_client.sendto(msg.encode(encoding), ip_port)
        # 4. receive the answer (接收)
        data = udp_client.recv(bufsize)
        # 5. print it (the tutorial's listing stops before printing)
        print(data.decode(encoding))
    # 6. close the socket (关闭套接字)
    udp_client.close()
# ANCHOR_END: steps


if __name__ == '__main__':
    args = sys.argv[1:]
    if len(args) > 2 or not (args or ['9000'])[0].isdigit():
        sys.exit(__doc__.strip())
    port, encoding = args + ['9000', 'utf-8'][len(args):]
    ask(('127.0.0.1', int(port)), encoding)
