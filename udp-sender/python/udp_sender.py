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


# ANCHOR: steps
def send(message, to=('127.0.0.1', 8080), encoding='utf-8', bind=None, reply=None):
    # 1. create a UDP socket (创建udp套接字)
    udp_socket = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    if bind:  # optional (绑定端口): fix the local port; without it the OS picks one
        udp_socket.bind(bind)
    # 2. send the data to (ip, port): bytes, so encode the text first
    udp_socket.sendto(message.encode(encoding), to)
    answer = None
    if reply:  # optional (tutorials 001, 004): wait up to `reply` seconds for one reply
        udp_socket.settimeout(reply)
        answer = udp_socket.recvfrom(1024)
    # 3. close the socket (关闭套接字)
    udp_socket.close()
    return answer
# ANCHOR_END: steps


if __name__ == '__main__':
    args = sys.argv[1:] + ['127.0.0.1', '8080', 'utf-8', 'nihao'][len(sys.argv[1:]):]
    send(args[3], (args[0], int(args[1])), args[2])
