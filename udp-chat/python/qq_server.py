"""qq_server.py — seed 001 "qq聊天", the server: print each message, type a
reply, send it back.

Run: python3 qq_server.py [PORT] [ENCODING]        (defaults: 8081 utf-8)
Twin of `udp-chat qq-server`; chat with qq_client.py or `udp-chat qq-client`.
"""
import os
import socket
import sys

PORT = int(sys.argv[1]) if len(sys.argv) > 1 else 8081
ENCODING = sys.argv[2] if len(sys.argv) > 2 else 'utf-8'
# The seed's colour \033[1;44m, only on a terminal and without NO_COLOR.
COLOUR = sys.stdout.isatty() and not os.environ.get('NO_COLOR')


def paint(text):
    return '\033[1;44m%s\033[0m' % text if COLOUR else text


# ANCHOR: server
# 1. create a UDP socket
udp_server_sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
# 2. bind the address the clients know
udp_server_sock.bind(('127.0.0.1', PORT))
print('listening on %s:%s' % udp_server_sock.getsockname(), file=sys.stderr, flush=True)


def main(udp_server_sock):
    while True:
        # 3. wait for a message, from anyone
        qq_msg, addr = udp_server_sock.recvfrom(1024)
        # 4. print it with the sender's address
        print('来自[%s:%s]的一条消息:%s' % (addr[0], addr[1], paint(qq_msg.decode(ENCODING))))
        # 5. read the reply
        back_msg = input('回复消息: ').strip()
        # 6. send it back to whoever sent the message
        udp_server_sock.sendto(back_msg.encode(ENCODING), addr)


try:
    main(udp_server_sock)
except (EOFError, KeyboardInterrupt):  # Ctrl+D or Ctrl+C: no more replies
    pass
# 7. close the socket
udp_server_sock.close()
# ANCHOR_END: server
