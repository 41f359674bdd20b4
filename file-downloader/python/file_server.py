"""文件下载器, the server (tutorial 000): a client sends a file name; the server
sends that file's bytes and closes the connection. Serves clients one after
another, from the current directory.

    python3 file_server.py [PORT] [ENCODING]      # defaults: 7890 utf-8

Port 0 lets the OS choose; the real address is printed on stderr. This is the
tutorial's naive server: it opens any name it is given (even ../../etc/passwd).
`file-server` is the safe one.
"""

# Not part of the lesson: --help, and arguments the listing would crash on,
# get a usage line (exit 2, like the Rust programs) instead of a traceback.
if __name__ == '__main__':
    import codecs
    import sys as _sys
    _USAGE = ('usage: python3 file-downloader/python/file_server.py [PORT [ENCODING]]\n'
              'defaults: 7890 utf-8; serves the current folder')
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
def main(port=7890, encoding='utf-8'):
    # 1. create a TCP socket (socket创建套接字)
    tcp_server_socket = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    # optional: SO_REUSEADDR, so that a restart need not wait for TIME_WAIT
    tcp_server_socket.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    # 2. bind the local address (bind绑定IP和port)
    tcp_server_socket.bind(('127.0.0.1', port))
    # 3. listen: the socket turns passive, clients queue up (listen使套接字变为可以被动链接)
    tcp_server_socket.listen(128)
    print('listening on %s:%d' % tcp_server_socket.getsockname(),
          file=sys.stderr, flush=True)
    while True:
        # 4. wait for a client: accept returns a new socket for it (accept等待客户端的链接)
        client_socket, client_addr = tcp_server_socket.accept()
        send_file_to_client(client_socket, client_addr, encoding)


def send_file_to_client(client_socket, client_addr, encoding):
    ip, port = client_addr
    try:
        # 5. receive the name of the file the client wants (recv接收数据)
        file_name = client_socket.recv(1024).decode(encoding)
        print('%s:%d asks for %r' % (ip, port, file_name))
        # 6. send the file, piece by piece: sendall sends every byte of each (send发送数据)
        with open(file_name, 'rb') as f:
            while True:
                file_content = f.read(65536)
                if not file_content:
                    break
                client_socket.sendall(file_content)
        print('sent %r to %s:%d' % (file_name, ip, port))
    except (OSError, UnicodeError) as err:
        # cannot send it: close without a word (all this protocol can say)
        print('cannot send it: %s' % err)
    # 7. close the client's socket: for the client, that is the end of the file (关闭套接字)
    client_socket.close()
# ANCHOR_END: steps


if __name__ == '__main__':
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 7890,
         sys.argv[2] if len(sys.argv) > 2 else 'utf-8')
