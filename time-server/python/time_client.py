# time_client.py — tutorial 001 "时间服务器client", in Python 3.
# Sends each typed strftime format to the time server and prints the answer.
# Run: python3 time_client.py [PORT] [ENCODING]    (defaults: 9000 utf-8)

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

# ANCHOR: all
import sys
from socket import *

port = int(sys.argv[1]) if len(sys.argv) > 1 else 9000
encoding = sys.argv[2] if len(sys.argv) > 2 else 'utf-8'
ip_port = ('127.0.0.1', port)
bufsize = 1024

udp_client = socket(AF_INET, SOCK_DGRAM)  # the tutorial calls it tcp_client

while True:
    try:
        msg = input('请输入时间格式(例%Y %m %d)>>: ').strip()
    except EOFError:  # end of input (Ctrl+D): stop
        break
    udp_client.sendto(msg.encode(encoding), ip_port)

    data = udp_client.recv(bufsize)
    print(data.decode(encoding))  # the tutorial's listing stops before printing

udp_client.close()
# ANCHOR_END: all
