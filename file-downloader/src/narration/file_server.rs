//! `--explain` for `file-server`: steps 1–7 of `src/steps/file_server.rs`.
//! `src/bin/file_server.rs` fills in `{socket}`, `{local}` and `{encoding}`.

use common::explain::Step;

/// Steps 1–7 of file_server.py.
pub static STEPS: [Step; 7] = [
    Step {
        python: "tcp_server_socket = {socket}",
        rust: "socket2::Socket::new(.., Type::STREAM, ..)",
    },
    Step { python: "tcp_server_socket.bind({local})", rust: "socket2::Socket::bind" },
    Step { python: "tcp_server_socket.listen(128)", rust: "socket2::Socket::listen" },
    Step {
        python: "client_socket, client_addr = tcp_server_socket.accept()",
        rust: "TcpListener::accept",
    },
    Step {
        python: "file_name = client_socket.recv(1024).decode('{encoding}')",
        rust: "protocol::read_request (until a newline, a pause or the client's close)",
    },
    Step {
        python: "client_socket.sendall(f.read(65536)), until the end of the file",
        rust: "std::io::copy(&mut file, &mut client_socket)",
    },
    Step { python: "client_socket.close()", rust: "drop(client_socket)" },
];

/// The listening socket's close, which the tutorial's endless loop never
/// reaches: `--count N` does.
pub static NOTES: [(&str, Step); 1] = [(
    "close",
    Step { python: "tcp_server_socket.close()", rust: "drop(tcp_server_socket)" },
)];
