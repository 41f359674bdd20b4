"""udp_chat.py — tutorial 000 "udp聊天器": one UDP socket, a menu to send or receive.

Run: python3 udp_chat.py [PORT] [ENCODING]        (defaults: 7788 utf-8)
Twin of `udp-chat menu`. Try two of them: one on 7788, one on 7789.
"""

# Not part of the lesson: --help, and arguments the listing would crash on,
# get a usage line (exit 2, like the Rust programs) instead of a traceback.
if __name__ == '__main__':
    import codecs
    import sys as _sys
    _USAGE = ('usage: python3 udp-chat/python/udp_chat.py [PORT [ENCODING]]\n'
              'defaults: 7788 utf-8')
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


# ANCHOR: steps
def chat(port=7788, encoding='utf-8'):
    # 1. create a UDP socket: the same socket can send and receive (创建套接字)
    udp_socket = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    # 2. bind the local address, so the others know where to send (绑定本地信息)
    udp_socket.bind(('127.0.0.1', port))
    print('listening on %s:%s' % udp_socket.getsockname(), file=sys.stderr, flush=True)
    while True:
        # 3. show the menu and read a choice (请输入功能)
        print('-----udp聊天器-----')
        print('1:发送消息')
        print('2:接收消息')
        print('0:退出系统')
        op = input('请输入功能:')
        if op == '1':
            # 4. ask for the peer's ip, port and message, and send (发送数据)
            dest_ip = input('请输入对方的ip:') or '127.0.0.1'
            dest_port = int(input('请输入对方的port:'))
            send_data = input('请输入要发送的消息:')
            udp_socket.sendto(send_data.encode(encoding), (dest_ip, dest_port))
        elif op == '2':
            # 5. receive a datagram (this waits until one arrives) and print it (接收数据)
            recv_data, addr = udp_socket.recvfrom(1024)
            print('%s:%s' % (str(addr), recv_data.decode(encoding)))
        elif op == '0':
            break
        else:
            print('输入有误请重新输入...')
    # 6. close the socket (关闭套接字)
    udp_socket.close()
# ANCHOR_END: steps


if __name__ == '__main__':
    chat(int(sys.argv[1]) if len(sys.argv) > 1 else 7788, *sys.argv[2:3])
