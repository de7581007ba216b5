"""The HTTP face of the simulator: stdlib ThreadingHTTPServer, one daemon thread per connection."""

from __future__ import annotations

import json
import re
import socket
import threading
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Protocol
from urllib.parse import unquote, urlsplit

_API_PATH = re.compile(r"^/bot(?P<token>[^/]+)/(?P<method>[A-Za-z0-9_]+)/?$")
_FILE_PATH = re.compile(r"^/file/bot(?P<token>[^/]+)/(?P<path>.+)$")
_NOT_FOUND = {"ok": False, "error_code": 404, "description": "Not Found"}


class Backend(Protocol):
    """What the server asks the simulator."""

    def handle_api(self, token: str, method: str, content_type: str, body: bytes,
                   query: str) -> tuple[int, dict[str, Any]] | None:
        """Status and JSON body, or None to close the connection without answering."""

    def handle_file(self, token: str, file_path: str) -> bytes | None:
        """Bytes of a stored file, or None for 404."""


class _Handler(BaseHTTPRequestHandler):
    # HTTP/1.1 keep-alive, as httpx (PTB's transport) reuses connections.
    protocol_version = "HTTP/1.1"
    # Headers and body leave in two writes; without TCP_NODELAY, Nagle + delayed ACK add ~40 ms per call.
    disable_nagle_algorithm = True
    server: SimulatorHTTPServer

    def do_GET(self) -> None:  # noqa: N802 (http.server naming)
        self._route()

    def do_POST(self) -> None:  # noqa: N802
        self._route()

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002
        pass  # request lines contain the bot token; tests read sim.requests instead

    def _route(self) -> None:
        url = urlsplit(self.path)
        path = unquote(url.path)
        body = self._read_body()
        if match := _FILE_PATH.match(path):
            self._send_file(self.server.backend.handle_file(match["token"], match["path"]))
            return
        match = _API_PATH.match(path)
        if match is None:
            self._send_json(404, _NOT_FOUND)
            return
        answer = self.server.backend.handle_api(
            match["token"], match["method"], self.headers.get("Content-Type", ""), body, url.query
        )
        if answer is None:  # fault injection: drop the connection without a response
            self.close_connection = True
            return
        self._send_json(*answer)

    def _read_body(self) -> bytes:
        if self.headers.get("Transfer-Encoding", "").lower() == "chunked":
            return self._read_chunked()
        length = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(length) if length else b""

    def _read_chunked(self) -> bytes:
        chunks = []
        while True:
            size = int(self.rfile.readline().split(b";", 1)[0].strip() or b"0", 16)
            if size == 0:
                self.rfile.readline()  # the CRLF after the last chunk (no trailers expected)
                return b"".join(chunks)
            chunks.append(self.rfile.read(size))
            self.rfile.readline()

    def _send_json(self, status: int, payload: dict[str, Any]) -> None:
        data = json.dumps(payload, ensure_ascii=False).encode("utf-8")
        self._send(status, data, "application/json")

    def _send_file(self, data: bytes | None) -> None:
        if data is None:
            self._send_json(404, _NOT_FOUND)
        else:
            self._send(200, data, "application/octet-stream")

    def _send(self, status: int, data: bytes, content_type: str) -> None:
        self.send_response(status, _reason(status))
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)


def _reason(status: int) -> str:
    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return "Error"


class SimulatorHTTPServer(ThreadingHTTPServer):
    """ThreadingHTTPServer that remembers its open connections so ``close`` can end kept-alive ones."""

    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, address: tuple[str, int], backend: Backend) -> None:
        self.backend = backend
        self._connections: set[socket.socket] = set()
        self._connections_lock = threading.Lock()
        super().__init__(address, _Handler)

    def process_request(self, request: Any, client_address: Any) -> None:
        with self._connections_lock:
            self._connections.add(request)
        super().process_request(request, client_address)

    def shutdown_request(self, request: Any) -> None:
        with self._connections_lock:
            self._connections.discard(request)
        super().shutdown_request(request)

    def handle_error(self, request: Any, client_address: Any) -> None:
        pass  # a client that went away (cancelled long poll, dropped connection) is not an error here

    def close_connections(self) -> None:
        """Shut down kept-alive sockets so their handler threads return."""
        with self._connections_lock:
            connections = list(self._connections)
        for connection in connections:
            try:
                connection.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
