"""qq_server.py — tutorial 001 "qq聊天", the server: print each message, type a
reply, send it back.

Run: python3 qq_server.py [PORT] [ENCODING]        (defaults: 8081 utf-8)
Twin of `udp-chat qq-server`; chat with qq_client.py or `udp-chat qq-client`.
"""

# Not part of the lesson: --help, and arguments the listing would crash on,
# get a usage line (exit 2, like the Rust programs) instead of a traceback.
if __name__ == '__main__':
    import codecs
    import sys as _sys
    _USAGE = ('usage: python3 udp-chat/python/qq_server.py [PORT [ENCODING]]\n'
              'defaults: 8081 utf-8')
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

import os
import socket
import sys

# The tutorial's colour \033[1;44m, only on a terminal and without NO_COLOR.
COLOUR = sys.stdout.isatty() and not os.environ.get('NO_COLOR')


def paint(text):
    return '\033[1;44m%s\033[0m' % text if COLOUR else text


# ANCHOR: steps
def serve(port=8081, encoding='utf-8'):
    # 1. create a UDP socket (创建套接字)
    udp_server_sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    # 2. bind the address the clients know (绑定本地信息)
    udp_server_sock.bind(('127.0.0.1', port))
    print('listening on %s:%s' % udp_server_sock.getsockname(), file=sys.stderr, flush=True)
    try:
        while True:
            # 3. wait for a message, from anyone (接收数据)
            qq_msg, addr = udp_server_sock.recvfrom(1024)
            # 4. print it with the sender's address
            print('来自[%s:%s]的一条消息:%s' % (addr[0], addr[1], paint(qq_msg.decode(encoding))))
            # 5. read the reply (回复消息)
            back_msg = input('回复消息: ').strip()
            # 6. send it back to whoever sent the message
            udp_server_sock.sendto(back_msg.encode(encoding), addr)
    except (EOFError, KeyboardInterrupt):  # Ctrl+D or Ctrl+C: no more replies
        pass
    # 7. close the socket (关闭套接字)
    udp_server_sock.close()
# ANCHOR_END: steps


if __name__ == '__main__':
    serve(int(sys.argv[1]) if len(sys.argv) > 1 else 8081, *sys.argv[2:3])
