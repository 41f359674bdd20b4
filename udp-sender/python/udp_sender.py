"""udp_sender.py: tutorial 000 "udp发送数据" and tutorial 003's send_main, in Python 3.

Usage: python3 udp_sender.py [HOST [PORT [ENCODING [MESSAGE]]]]
Defaults: 127.0.0.1 8080 utf-8 nihao   (tutorial 003 on Windows: gbk '数据')
"""
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
    args = sys.argv[1:]
    if args[:1] in (['-h'], ['--help']):
        sys.exit(print(__doc__.strip()))
    if len(args) > 4:
        sys.exit(__doc__.strip())
    host, port, encoding, message = args + ['127.0.0.1', '8080', 'utf-8', 'nihao'][len(args):]
    if not port.isdigit():
        sys.exit(f'usage: PORT must be a number, not {port!r}')
    send(message, (host, int(port)), encoding)
