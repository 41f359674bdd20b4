"""udp_talk.py — one UDP socket shared by two threads: one receives and
prints, the main thread sends each line typed.

Run: python3 udp_talk.py [PORT] [PEER_PORT] [ENCODING]   (defaults: 7788 7789 utf-8)
Twin of `udp-chat talk`. The other talker: python3 udp_talk.py 7789 7788
"""
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
    if sys.argv[1:2] in (['-h'], ['--help']):
        sys.exit(print(__doc__.strip()))
    args = sys.argv[1:] + ['7788', '7789', 'utf-8'][len(sys.argv) - 1:]
    talk(int(args[0]), ('127.0.0.1', int(args[1])), args[2])
