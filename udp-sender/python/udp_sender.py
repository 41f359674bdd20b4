"""udp_sender.py: seed 000 "udp发送数据" and seed 003 send_main, in Python 3.

Usage: python3 udp_sender.py [HOST [PORT [ENCODING [MESSAGE]]]]
Defaults: 127.0.0.1 8080 utf-8 nihao   (seed 003 on Windows: gbk '数据')
"""
import socket
import sys


# ANCHOR: main
def main(host='127.0.0.1', port=8080, encoding='utf-8', message='nihao'):
    # 1. create a UDP socket (创建一个udp套接字)
    udp_socket = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)

    # 2. send the data to (ip, port): bytes, so encode the text first
    #    (no bind: the OS picks a free local port on the first sendto)
    udp_socket.sendto(message.encode(encoding), (host, port))

    # 3. close the socket (关闭套接字)
    udp_socket.close()
# ANCHOR_END: main


if __name__ == '__main__':
    args = sys.argv[1:]
    main(*args[:1], *[int(p) for p in args[1:2]], *args[2:4])
