"""time_server.py: tutorial 001 "时间服务器server", in Python 3.

Answers each datagram with the local time in the strftime format it holds
('%Y-%m-%d %X' for an empty one); logs each request on stdout.

Usage: python3 time_server.py [PORT [ENCODING]]
Defaults: 9000 utf-8
"""

# Not part of the lesson: --help, and arguments the listing would crash on,
# get a usage line (exit 2, like the Rust programs) instead of a traceback.
if __name__ == '__main__':
    import codecs
    import sys as _sys
    _USAGE = ('usage: python3 time-server/python/time_server.py [PORT [ENCODING]]\n'
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
from time import strftime


# ANCHOR: steps
def serve(ip_port=('127.0.0.1', 9000), encoding='utf-8', bufsize=1024):
    # 1. create a UDP socket (创建套接字); the tutorial calls it tcp_server
    udp_server = socket(AF_INET, SOCK_DGRAM)
    # 2. reuse the port (重用ip和端口)
    udp_server.setsockopt(SOL_SOCKET, SO_REUSEADDR, 1)
    # 3. bind the local address (绑定)
    udp_server.bind(ip_port)
    print('listening on %s:%d' % udp_server.getsockname(), file=sys.stderr, flush=True)
    while True:
        # 4. receive a format (接收), and who sent it
        msg, addr = udp_server.recvfrom(bufsize)
        print('===>', msg)
        # 5. format the local time (时间格式): the default for an empty msg
        if not msg:
            time_fmt = '%Y-%m-%d %X'
        else:
            time_fmt = msg.decode(encoding)
        back_msg = strftime(time_fmt)
        # 6. send the answer back to addr (发送)
        udp_server.sendto(back_msg.encode(encoding), addr)
    # optional: close (关闭服务器套接字(可选)); the tutorial's loop never ends
    udp_server.close()
# ANCHOR_END: steps


if __name__ == '__main__':
    args = sys.argv[1:]
    if len(args) > 2 or not (args or ['9000'])[0].isdigit():
        sys.exit(__doc__.strip())
    port, encoding = args + ['9000', 'utf-8'][len(args):]
    serve(('127.0.0.1', int(port)), encoding)
