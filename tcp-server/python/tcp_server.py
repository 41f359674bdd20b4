"""TCP server: tutorial 000 "TCP服务端" and "TCP服务端为多个客户端服务", with the
SO_REUSEADDR of tutorial 001. Serves clients one after another and sends back
what each one sends (or REPLY, like tutorial 001's 'hi'), until it closes.

    python3 tcp_server.py [--once] [PORT [ENCODING [REPLY]]]   # defaults: 8898 utf-8

Port 0 lets the OS choose; the real address is printed on stderr. --once
serves one client, then exits; otherwise Ctrl+C stops the server.
"""

# Not part of the lesson: --help, and arguments the listing would crash on,
# get a usage line (exit 2, like the Rust programs) instead of a traceback.
if __name__ == '__main__':
    import codecs
    import sys as _sys
    _USAGE = ('usage: python3 tcp-server/python/tcp_server.py [--once] [PORT [ENCODING [REPLY]]]\n'
              'defaults: 8898 utf-8, echo')
    _args = _sys.argv[1:]
    if _args[:1] in (['-h'], ['--help']):
        print(_USAGE)
        _sys.exit(0)
    _args = [_a for _a in _args if _a != '--once']  # the one option the twin takes
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
def serve(port=8898, encoding='utf-8', reply=None, once=False):
    # 1. create a TCP socket (socket创建套接字)
    tcp_server = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    # 2. reuse the address (重用ip和端口): a restart need not wait for TIME_WAIT
    tcp_server.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    # 3. bind the local address (bind绑定IP和port)
    tcp_server.bind(('127.0.0.1', port))
    # 4. listen: the socket turns passive (listen使套接字变为可以被动链接)
    tcp_server.listen(128)
    print('listening on %s:%d' % tcp_server.getsockname(), file=sys.stderr, flush=True)
    while True:
        # 5. wait for a client (accept等待客户端的链接): a new socket for it
        client, (ip, client_port) = tcp_server.accept()
        print('connected: %s:%d' % (ip, client_port))
        # 6. recv/send until the client closes (recv/send接收发送数据): b'' is the end
        while True:
            data = client.recv(1024)
            if not data:
                break
            print('%s:%d: %s' % (ip, client_port, data.decode(encoding, 'replace')))
            client.sendall(reply.encode(encoding) if reply else data)
        # 7. close the client's socket (关闭客户端套接字)
        client.close()
        print('closed: %s:%d' % (ip, client_port))
        if once:  # optional (tutorials 001, 003): one client only
            break
    # 8. close the server socket (关闭服务器套接字)
    tcp_server.close()
# ANCHOR_END: steps


if __name__ == '__main__':
    args = sys.argv[1:]
    once = '--once' in args
    args = [arg for arg in args if arg != '--once']
    if len(args) > 3 or not all(arg.isdigit() for arg in args[:1]):
        sys.exit(__doc__.strip())
    try:
        serve(*[int(port) for port in args[:1]], *args[1:3], once=once)
    except KeyboardInterrupt:  # Ctrl+C: the usual way to stop a server
        pass
