"""udp_receiver.py: tutorial 000 "udp接收数据" and tutorial 003's rece_main, in Python 3.

Usage: python3 udp_receiver.py [PORT [ENCODING [COUNT [REPLY]]]]
Defaults: 8080 utf-8 1, no reply — binds ('', PORT): every interface, as the
tutorial does. With REPLY, answers each datagram with it (tutorials 001, 004).
"""
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
    if args[:1] in (['-h'], ['--help']):
        sys.exit(print(__doc__.strip()))
    if len(args) > 4 or not all(a.isdigit() for a in args[:1] + args[2:3]):
        sys.exit(__doc__.strip())
    main(*[int(p) for p in args[:1]], *args[1:2], *[int(c) for c in args[2:3]], *args[3:4])
