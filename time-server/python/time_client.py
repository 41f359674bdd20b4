"""time_client.py: tutorial 001 "时间服务器client", in Python 3.

Sends each typed strftime format to the time server and prints the answer
(an empty line asks for the server's default; Ctrl+D ends).

Usage: python3 time_client.py [PORT [ENCODING]]
Defaults: 9000 utf-8
"""
import sys
from socket import *


# ANCHOR: steps
def ask(ip_port=('127.0.0.1', 9000), encoding='utf-8', bufsize=1024):
    # 1. create a UDP socket (创建套接字); the seed calls it tcp_client
    udp_client = socket(AF_INET, SOCK_DGRAM)
    while True:
        # 2. read a format (请输入时间格式); Ctrl+D ends
        try:
            msg = input('请输入时间格式(例%Y %m %d)>>: ').strip()
        except EOFError:
            break
        # 3. send it (发送)
        udp_client.sendto(msg.encode(encoding), ip_port)
        # 4. receive the answer (接收)
        data = udp_client.recv(bufsize)
        # 5. print it (the seed's listing stops before printing)
        print(data.decode(encoding))
    # 6. close the socket (关闭套接字)
    udp_client.close()
# ANCHOR_END: steps


if __name__ == '__main__':
    args = sys.argv[1:]
    if args[:1] in (['-h'], ['--help']):
        sys.exit(print(__doc__.strip()))
    if len(args) > 2 or not (args or ['9000'])[0].isdigit():
        sys.exit(__doc__.strip())
    port, encoding = args + ['9000', 'utf-8'][len(args):]
    ask(('127.0.0.1', int(port)), encoding)
