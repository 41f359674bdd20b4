"""udp_receiver.py: tutorial 000 "udp接收数据" and tutorial 003 rece_main, in Python 3.

Usage: python3 udp_receiver.py [PORT [ENCODING [COUNT [REPLY]]]]
Defaults: 8080 utf-8 1, no reply — binds ('', PORT): every interface, as the
tutorial does. With REPLY, answers each datagram with it (tutorials 001, 004).
"""

# Not part of the lesson: --help, and arguments the listing would crash on,
# get a usage line (exit 2, like the Rust programs) instead of a traceback.
if __name__ == '__main__':
    import codecs
    import sys as _sys
    _USAGE = ('usage: python3 udp-receiver/python/udp_receiver.py [PORT [ENCODING [COUNT [REPLY]]]]\n'
              'defaults: 8080 utf-8 1, no reply')
    _args = _sys.argv[1:]
    if _args[:1] in (['-h'], ['--help']):
        print(_USAGE)
        _sys.exit(0)
    _problem = None
    for _at, _what in ((0, 'a port number'), (2, 'a number')):
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
def main(port=8080, encoding='utf-8', count=1, reply=None):
    # 1. create a UDP socket (创建套接字)
    udp_socket = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    # 2. bind the local address (绑定本地信息): '' means every interface
    udp_socket.bind(('', port))
    print('listening on %s:%d' % udp_socket.getsockname(), file=sys.stderr, flush=True)
    for _ in range(count):
        # 3. receive at most 1024 bytes (接收数据): (bytes, (ip, port))
        recv_data = udp_socket.recvfrom(1024)
        # 4. print it (打印数据): the tuple as tutorial 003 does, then the text
        print(recv_data)
        data, (ip, sender_port) = recv_data
        print('%s:%d: %s' % (ip, sender_port, data.decode(encoding, errors='replace')))
        if reply:  # optional (tutorials 001, 004): answer the sender
            udp_socket.sendto(reply.encode(encoding), (ip, sender_port))
    # 5. close the socket (关闭套接字)
    udp_socket.close()
# ANCHOR_END: steps


if __name__ == '__main__':
    args = sys.argv[1:]
    main(*[int(p) for p in args[:1]], *args[1:2], *[int(c) for c in args[2:3]], *args[3:4])
