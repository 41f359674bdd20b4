# time_client.py — seed 001 "时间服务器client", in Python 3.
# Sends each typed strftime format to the time server and prints the answer.
# Run: python3 time_client.py [PORT] [ENCODING]    (defaults: 9000 utf-8)
# ANCHOR: all
import sys
from socket import *

port = int(sys.argv[1]) if len(sys.argv) > 1 else 9000
encoding = sys.argv[2] if len(sys.argv) > 2 else 'utf-8'
ip_port = ('127.0.0.1', port)
bufsize = 1024

udp_client = socket(AF_INET, SOCK_DGRAM)  # the seed calls it tcp_client

while True:
    try:
        msg = input('请输入时间格式(例%Y %m %d)>>: ').strip()
    except EOFError:  # end of input (Ctrl+D): stop
        break
    udp_client.sendto(msg.encode(encoding), ip_port)

    data = udp_client.recv(bufsize)
    print(data.decode(encoding))  # the seed's listing stops before printing

udp_client.close()
# ANCHOR_END: all
