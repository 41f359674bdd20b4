"""qq_client.py — tutorial 001 "qq聊天", the client: choose a contact, send
lines until q, print each reply.

Run: python3 qq_client.py [PORT] [ENCODING]        (defaults: 8081 utf-8)
Twin of `udp-chat qq-client`; every contact is the server at 127.0.0.1:PORT.
"""

# Not part of the lesson: --help, and arguments the listing would crash on,
# get a usage line (exit 2, like the Rust programs) instead of a traceback.
if __name__ == '__main__':
    import codecs
    import sys as _sys
    _USAGE = ('usage: python3 udp-chat/python/qq_client.py [PORT [ENCODING]]\n'
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

BUFSIZE = 1024
# The tutorial's colour \033[1;44m, only on a terminal and without NO_COLOR.
COLOUR = sys.stdout.isatty() and not os.environ.get('NO_COLOR')


def paint(text):
    return '\033[1;44m%s\033[0m' % text if COLOUR else text


# ANCHOR: steps
def chat(port=8081, encoding='utf-8'):
    # 1. create a UDP socket (创建套接字); no bind: the OS picks a port on the first sendto
    udp_client_socket = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    # 2. the contact list: every name is the qq server
    qq_name_dic = {
        '金老板': ('127.0.0.1', port),
        '哪吒': ('127.0.0.1', port),
        'egg': ('127.0.0.1', port),
        'yuan': ('127.0.0.1', port),
    }
    try:
        while True:
            # 3. choose a contact (请选择聊天对象)
            qq_name = input('请选择聊天对象: ').strip()
            while True:
                # 4. type a message; q ends the chat with this contact (输入q结束和他的聊天)
                msg = input('请输入消息,回车发送,输入q结束和他的聊天: ').strip()
                if msg == 'q':
                    break
                if not msg or not qq_name or qq_name not in qq_name_dic:
                    continue
                # 5. send it (发送数据)
                udp_client_socket.sendto(msg.encode(encoding), qq_name_dic[qq_name])
                # 6. wait for the reply (接收数据)
                back_msg, addr = udp_client_socket.recvfrom(BUFSIZE)
                # 7. print it
                print('来自[%s:%s]的一条消息:%s' % (addr[0], addr[1], paint(back_msg.decode(encoding))))
    except (EOFError, KeyboardInterrupt):  # Ctrl+D or Ctrl+C ends the chat
        pass
    # 8. close the socket (关闭套接字)
    udp_client_socket.close()
# ANCHOR_END: steps


if __name__ == '__main__':
    chat(int(sys.argv[1]) if len(sys.argv) > 1 else 8081, *sys.argv[2:3])
