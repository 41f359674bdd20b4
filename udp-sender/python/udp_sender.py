"""udp_sender.py: tutorial 000 "udp发送数据" and tutorial 003 send_main, in Python 3.

Usage: python3 udp_sender.py [HOST [PORT [ENCODING [MESSAGE]]]]
Defaults: 127.0.0.1 8080 utf-8 nihao   (tutorial 003 on Windows: gbk '数据')
"""

# Not part of the lesson: --help, and arguments the listing would crash on,
# get a usage line (exit 2, like the Rust programs) instead of a traceback.
if __name__ == '__main__':
    import codecs
    import sys as _sys
    _USAGE = ('usage: python3 udp-sender/python/udp_sender.py [HOST [PORT [ENCODING [MESSAGE]]]]\n'
              'defaults: 127.0.0.1 8080 utf-8 nihao')
    _args = _sys.argv[1:]
    if _args[:1] in (['-h'], ['--help']):
        print(_USAGE)
        _sys.exit(0)
    _problem = None
    for _at, _what in ((1, 'a port number'),):
        if len(_args) > _at and not _args[_at].isdigit():
            _problem = '%r is not %s' % (_args[_at], _what)
    if len(_args) > 2:
        try:
            codecs.lookup(_args[2])
        except LookupError:
            _problem = 'unknown encoding %r' % _args[2]
    if _args[:1] and _args[0].startswith('-'):
        _problem = 'unknown option %r (the arguments are positional)' % _args[0]
    if _problem:
        print(_USAGE, file=_sys.stderr)
        print('error: ' + _problem, file=_sys.stderr)
        _sys.exit(2)

import socket
import sys


# ANCHOR: main
def main(host='127.0.0.1', port=8080, encoding='utf-8', message='nihao'):
    # 1. create a UDP socket (创建一个udp套接字)
    udp_socket = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)

    # 2. send the data to (ip, port): bytes, so encode the text first
    #    (no bind: the OS picks a free local port on the first sendto)
    udp_socket.sendto(message.encode(encoding), (host, port))

    # 3. close the socket (关闭套接字)
    udp_socket.close()
# ANCHOR_END: main


if __name__ == '__main__':
    args = sys.argv[1:]
    main(*args[:1], *[int(p) for p in args[1:2]], *args[2:4])
