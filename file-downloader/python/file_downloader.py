"""文件下载器, the client (tutorial 000): send the name of a file to the server,
save what comes back. The file is created only once data has arrived, so a
file the server does not have leaves nothing behind.

    python3 file_downloader.py [PORT] [ENCODING]  # defaults: 7890 utf-8

The file name is read from stdin (like the tutorial's input()); the file is saved
under its last name in the current directory.
"""

# Not part of the lesson: --help, and arguments the listing would crash on,
# get a usage line (exit 2, like the Rust programs) instead of a traceback.
if __name__ == '__main__':
    import codecs
    import sys as _sys
    _USAGE = ('usage: python3 file-downloader/python/file_downloader.py [PORT [ENCODING]]\n'
              'defaults: 7890 utf-8; the file name is read from stdin')
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


# ANCHOR: steps
def download(port=7890, encoding='utf-8'):
    # 1. create a TCP socket (创建套接字)
    tcp_socket = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    # 2. the server's address: ip and port (目的信息: 服务器的ip port)
    dest_ip = '127.0.0.1'
    dest_port = port
    # 3. connect to the server (连接服务器)
    tcp_socket.connect((dest_ip, dest_port))
    # 4. the name of the file to download (输入要下载的文件名称)
    download_file_name = input('file to download: ')
    # 5. send the download request: the bare name (发送文件下载请求)
    tcp_socket.sendall(download_file_name.encode(encoding))
    f = None
    received = 0
    while True:
        # 6. receive the data, until the server closes: recv returns b'' (接收对方发送过来的数据)
        recv_data = tcp_socket.recv(1024)
        if not recv_data:
            break
        # 7. create the file only once data has arrived (接收到数据在创建文件)
        if f is None:
            f = open(os.path.basename(download_file_name), 'wb')
        f.write(recv_data)
        received += len(recv_data)
    if f is not None:
        f.close()
    # 8. close the socket (关闭套接字)
    tcp_socket.close()
    return download_file_name, received if f is not None else None
# ANCHOR_END: steps


def main():
    port = int(sys.argv[1]) if len(sys.argv) > 1 else 7890
    encoding = sys.argv[2] if len(sys.argv) > 2 else 'utf-8'
    name, received = download(port, encoding)
    if received is None:
        # nothing was created: the server had no such file (or it is empty)
        print('nothing arrived: %r was not downloaded' % name)
    else:
        print('saved %d byte%s of %r' % (received, '' if received == 1 else 's', name))


if __name__ == '__main__':
    main()
