"""Loopback HTTP forward proxy through which the benchmark's builds reach package registries.

Input: `python3 -m harness.forward_proxy PORT` (run from `bench/`); clients on 127.0.0.1 that send
`CONNECT host:443` (HTTPS: npm, cargo) or absolute-URI HTTP requests (`GET http://host/path`: apt).
Output: the bytes relayed in both directions; one log line per tunnel or request on stderr.
Invariants: listens on 127.0.0.1 only; forwards only to ports 80 and 443 of the host the client
named (the registries the build's own package managers ask for), so the benchmark's download traffic
passes one loopback port that `tc` can shape and `iptables` can count without touching anything else.
"""

from __future__ import annotations

import asyncio
import sys
import urllib.parse

ALLOWED_TUNNEL_PORTS = {443}
ALLOWED_HTTP_PORTS = {80}
HEADER_LIMIT_BYTES = 64 * 1024
RELAY_CHUNK_BYTES = 64 * 1024
HOP_BY_HOP_HEADERS = {
    "connection",
    "keep-alive",
    "proxy-connection",
    "proxy-authorization",
    "proxy-authenticate",
    "te",
    "trailer",
    "upgrade",
}


class ProxyRequestError(Exception):
    """A request the proxy refuses: malformed, or to a port it does not forward."""

    def __init__(self, status: int, reason: str) -> None:
        super().__init__(f"{status} {reason}")
        self.status = status
        self.reason = reason


def log(message: str) -> None:
    print(f"forward-proxy: {message}", file=sys.stderr, flush=True)


def parse_head(head: bytes) -> tuple[str, list[tuple[str, str]]]:
    """Splits a request or response head into its first line and its header fields."""
    lines = head.decode("latin-1").split("\r\n")
    headers = []
    for line in lines[1:]:
        if not line:
            continue
        name, separator, value = line.partition(":")
        if not separator:
            raise ProxyRequestError(400, "Bad Request")
        headers.append((name.strip(), value.strip()))
    return lines[0], headers


def header_value(headers: list[tuple[str, str]], name: str) -> str | None:
    for header_name, value in headers:
        if header_name.lower() == name:
            return value
    return None


def render_head(first_line: str, headers: list[tuple[str, str]]) -> bytes:
    lines = [first_line] + [f"{name}: {value}" for name, value in headers]
    return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1")


def split_host_port(authority: str, default_port: int) -> tuple[str, int]:
    """ "host:port" or "[v6]:port" (or either without a port) into host and port."""
    if authority.startswith("["):
        host, _, rest = authority[1:].partition("]")
        port_text = rest.removeprefix(":")
    elif authority.count(":") == 1:
        host, _, port_text = authority.partition(":")
    else:
        host, port_text = authority, ""
    if not port_text:
        return host, default_port
    if not port_text.isdigit():
        raise ProxyRequestError(400, "Bad Request")
    return host, int(port_text)


async def read_head(reader: asyncio.StreamReader) -> bytes | None:
    """The next head (through the blank line), or None at a clean end of stream."""
    try:
        return await reader.readuntil(b"\r\n\r\n")
    except asyncio.IncompleteReadError as error:
        if error.partial.strip():
            raise ProxyRequestError(400, "Bad Request") from error
        return None
    except asyncio.LimitOverrunError as error:
        raise ProxyRequestError(431, "Request Header Fields Too Large") from error


async def pump(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> int:
    """Copies until end of stream; returns the byte count."""
    total = 0
    while True:
        chunk = await reader.read(RELAY_CHUNK_BYTES)
        if not chunk:
            break
        total += len(chunk)
        writer.write(chunk)
        await writer.drain()
    try:
        if writer.can_write_eof():
            writer.write_eof()
    except OSError:
        pass
    return total


async def copy_exactly(reader: asyncio.StreamReader, writer: asyncio.StreamWriter, count: int) -> None:
    remaining = count
    while remaining > 0:
        chunk = await reader.read(min(RELAY_CHUNK_BYTES, remaining))
        if not chunk:
            raise ConnectionError("upstream closed inside a body")
        remaining -= len(chunk)
        writer.write(chunk)
        await writer.drain()


async def copy_chunked(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    """Relays a chunked body verbatim, through the last chunk and the trailer section."""
    while True:
        size_line = await reader.readuntil(b"\r\n")
        writer.write(size_line)
        size_text = size_line.split(b";", 1)[0].strip()
        try:
            size = int(size_text, 16)
        except ValueError as error:
            raise ConnectionError("malformed chunk size") from error
        if size == 0:
            while True:
                trailer_line = await reader.readuntil(b"\r\n")
                writer.write(trailer_line)
                if trailer_line == b"\r\n":
                    await writer.drain()
                    return
        await copy_exactly(reader, writer, size + 2)


async def tunnel(client_reader, client_writer, target: str) -> None:
    host, port = split_host_port(target, 443)
    if port not in ALLOWED_TUNNEL_PORTS:
        raise ProxyRequestError(403, "Forbidden")
    upstream_reader, upstream_writer = await asyncio.open_connection(host, port)
    client_writer.write(b"HTTP/1.1 200 Connection established\r\n\r\n")
    await client_writer.drain()
    try:
        upload, download = await asyncio.gather(
            pump(client_reader, upstream_writer),
            pump(upstream_reader, client_writer),
            return_exceptions=True,
        )
    finally:
        upstream_writer.close()
    log(f"CONNECT {host}:{port} down={download} up={upload}")


class UpstreamConnection:
    """One kept-alive connection to an origin server, reused while the client names the same one."""

    def __init__(self) -> None:
        self.address: tuple[str, int] | None = None
        self.reader: asyncio.StreamReader | None = None
        self.writer: asyncio.StreamWriter | None = None

    async def open(self, address: tuple[str, int]):
        if self.address != address or self.writer is None or self.writer.is_closing():
            self.close()
            self.reader, self.writer = await asyncio.open_connection(*address)
            self.address = address
        return self.reader, self.writer

    def close(self) -> None:
        if self.writer is not None:
            self.writer.close()
        self.address, self.reader, self.writer = None, None, None


async def forward_request(
    request_line: str,
    headers: list[tuple[str, str]],
    client_reader: asyncio.StreamReader,
    client_writer: asyncio.StreamWriter,
    upstream: UpstreamConnection,
) -> bool:
    """Relays one plain-HTTP exchange; returns whether the client connection may carry another."""
    parts = request_line.split(" ")
    if len(parts) != 3:
        raise ProxyRequestError(400, "Bad Request")
    method, target, version = parts
    url = urllib.parse.urlsplit(target)
    if url.scheme != "http" or not url.hostname:
        raise ProxyRequestError(400, "Bad Request")
    port = url.port or 80
    if port not in ALLOWED_HTTP_PORTS:
        raise ProxyRequestError(403, "Forbidden")
    path = url.path or "/"
    if url.query:
        path += "?" + url.query
    client_wants_close = (
        header_value(headers, "connection") or header_value(headers, "proxy-connection") or ""
    ).lower() == "close"
    forwarded = [(name, value) for name, value in headers if name.lower() not in HOP_BY_HOP_HEADERS]
    if header_value(forwarded, "host") is None:
        forwarded.append(("Host", url.netloc))
    upstream_reader, upstream_writer = await upstream.open((url.hostname, port))
    upstream_writer.write(render_head(f"{method} {path} HTTP/1.1", forwarded))
    request_length = header_value(headers, "content-length")
    if request_length and request_length.isdigit():
        await copy_exactly(client_reader, upstream_writer, int(request_length))
    await upstream_writer.drain()

    response_head = await read_head(upstream_reader)
    if response_head is None:
        upstream.close()
        raise ProxyRequestError(502, "Bad Gateway")
    status_line, response_headers = parse_head(response_head)
    status_parts = status_line.split(" ", 2)
    status = int(status_parts[1]) if len(status_parts) > 1 and status_parts[1].isdigit() else 502
    upstream_closes = (header_value(response_headers, "connection") or "").lower() == "close"
    relayed = [
        (name, value)
        for name, value in response_headers
        if name.lower() not in HOP_BY_HOP_HEADERS or name.lower() == "trailer"
    ]
    content_length = header_value(response_headers, "content-length")
    chunked = "chunked" in (header_value(response_headers, "transfer-encoding") or "").lower()
    has_no_body = method == "HEAD" or status in (204, 304) or 100 <= status < 200
    delimited_by_close = not has_no_body and not chunked and content_length is None
    keep_client = not (client_wants_close or delimited_by_close or version == "HTTP/1.0")
    relayed.append(("Connection", "keep-alive" if keep_client else "close"))
    client_writer.write(render_head(status_line, relayed))
    if has_no_body:
        pass
    elif chunked:
        await copy_chunked(upstream_reader, client_writer)
    elif content_length is not None and content_length.isdigit():
        await copy_exactly(upstream_reader, client_writer, int(content_length))
    else:
        await pump(upstream_reader, client_writer)
        upstream.close()
    await client_writer.drain()
    if upstream_closes:
        upstream.close()
    log(f"{method} {url.hostname}{path} {status}")
    return keep_client


async def serve_client(client_reader: asyncio.StreamReader, client_writer: asyncio.StreamWriter) -> None:
    upstream = UpstreamConnection()
    try:
        while True:
            head = await read_head(client_reader)
            if head is None:
                return
            request_line, headers = parse_head(head)
            if request_line.startswith("CONNECT "):
                target = request_line.split(" ")[1] if len(request_line.split(" ")) == 3 else ""
                await tunnel(client_reader, client_writer, target)
                return
            if not await forward_request(request_line, headers, client_reader, client_writer, upstream):
                return
    except ProxyRequestError as error:
        log(f"refused: {error}")
        client_writer.write(
            f"HTTP/1.1 {error.status} {error.reason}\r\nContent-Length: 0\r\nConnection: close\r\n\r\n".encode()
        )
    except ValueError as error:
        log(f"refused: malformed request ({error})")
        client_writer.write(b"HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\nConnection: close\r\n\r\n")
    except (OSError, ConnectionError, asyncio.IncompleteReadError, asyncio.LimitOverrunError) as error:
        log(f"connection ended: {error!r}")
    finally:
        upstream.close()
        client_writer.close()


async def serve(port: int) -> None:
    server = await asyncio.start_server(serve_client, "127.0.0.1", port, limit=HEADER_LIMIT_BYTES)
    log(f"listening on 127.0.0.1:{port}")
    async with server:
        await server.serve_forever()


def main(arguments: list[str]) -> int:
    if len(arguments) != 1 or not arguments[0].isdigit():
        print("usage: python3 -m harness.forward_proxy PORT", file=sys.stderr)
        return 2
    try:
        asyncio.run(serve(int(arguments[0])))
    except KeyboardInterrupt:
        return 0
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
