"""udp_talk.py — one UDP socket shared by two threads: one receives and
prints, the main thread sends each line typed.

Run: python3 udp_talk.py [PORT] [PEER_PORT] [ENCODING]   (defaults: 7788 7789 utf-8)
Twin of `udp-chat talk`. The other talker: python3 udp_talk.py 7789 7788
"""

# Not part of the lesson: --help, and arguments the listing would crash on,
# get a usage line (exit 2, like the Rust programs) instead of a traceback.
if __name__ == '__main__':
    import codecs
    import sys as _sys
    _USAGE = ('usage: python3 udp-chat/python/udp_talk.py [PORT [PEER_PORT [ENCODING]]]\n'
              'defaults: 7788 7789 utf-8')
    _args = _sys.argv[1:]
    if _args[:1] in (['-h'], ['--help']):
        print(_USAGE)
        _sys.exit(0)
    _problem = None
    for _at, _what in ((0, 'a port number'), (1, 'a port number')):
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
import threading


# ANCHOR: steps
def talk(port=7788, peer=('127.0.0.1', 7789), encoding='utf-8'):
    # 1. create a UDP socket (创建套接字)
    udp_socket = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    # 2. bind the local address, where the peer sends (绑定本地信息)
    udp_socket.bind(('127.0.0.1', port))
    print('listening on %s:%s' % udp_socket.getsockname(), file=sys.stderr, flush=True)

    # 3. start a thread that receives on the SAME socket (套接字是可以同时收发数据的)
    def recv_msg():
        while True:
            # 4. receive and print, in the receiving thread (接收数据)
            try:
                data, addr = udp_socket.recvfrom(1024)
            except ConnectionResetError:  # Windows: an earlier datagram found no one
                print('(the peer is not running yet)', file=sys.stderr)
                continue
            print('message from [%s:%s]: %s' % (addr[0], addr[1], data.decode(encoding)))
    threading.Thread(target=recv_msg, daemon=True).start()
    # 5. the main thread sends each line typed, until Ctrl+D (发送数据)
    try:
        while True:
            msg = input()
            if msg:
                udp_socket.sendto(msg.encode(encoding), peer)
    except EOFError:
        pass
    # 6. close the socket (关闭套接字); the daemon thread ends with the program
    udp_socket.close()
# ANCHOR_END: steps


if __name__ == '__main__':
    args = sys.argv[1:] + ['7788', '7789', 'utf-8'][len(sys.argv) - 1:]
    talk(int(args[0]), ('127.0.0.1', int(args[1])), args[2])
