"""A threaded WSGI server on wsgiref that can drop a connection on purpose.

The standard server answers every exception with a 500. For the ``reset_after_write`` fault we want
the opposite: the request is applied, then the socket is closed with SO_LINGER 0 so the peer sees a
connection reset and no response at all, exactly the "did it happen or not?" case clients must handle.
"""

from __future__ import annotations

import socket
import socketserver
import struct
import sys
import threading
from wsgiref.simple_server import ServerHandler, WSGIRequestHandler, WSGIServer

from .http import AbortConnection


class _Handler(ServerHandler):
    def handle_error(self):
        if isinstance(sys.exc_info()[1], AbortConnection):
            self.request_handler.abort = True
            return
        super().handle_error()


class RequestHandler(WSGIRequestHandler):
    """Serves one request per connection; logs only when the server is verbose."""

    abort = False

    def handle(self):
        # Same as WSGIRequestHandler.handle, with our ServerHandler so AbortConnection is not a 500.
        self.raw_requestline = self.rfile.readline(65537)
        if len(self.raw_requestline) > 65536:
            self.send_error(414)
            return
        if not self.parse_request():
            return
        handler = _Handler(self.rfile, self.wfile, self.get_stderr(), self.get_environ(), multithread=True)
        handler.request_handler = self
        handler.run(self.server.get_app())

    def finish(self):
        super().finish()
        if self.abort:
            # Linger 0 turns close() into a TCP RST; the files above are closed, so this really closes.
            self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            self.connection.close()

    def log_message(self, format, *args):  # noqa: A002 - signature of the base class
        if getattr(self.server, "verbose", False):
            super().log_message(format, *args)


class ThreadingWSGIServer(socketserver.ThreadingMixIn, WSGIServer):
    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 128
    verbose = False


def make_server(app, host: str = "127.0.0.1", port: int = 0, verbose: bool = False) -> ThreadingWSGIServer:
    server = ThreadingWSGIServer((host, port), RequestHandler)
    server.set_app(app)
    server.verbose = verbose
    return server


def serve_in_thread(server: ThreadingWSGIServer) -> threading.Thread:
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.1}, daemon=True)
    thread.start()
    return thread
