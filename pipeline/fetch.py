"""Fetch a URL safely: public addresses only (each redirect hop too), pinned connections, timeouts, a size cap.

A deployed app must not become a proxy into the network it runs in (server-side request forgery): every address a
host name resolves to is checked, the connection goes to the checked address (no second lookup a DNS rebinding could
answer differently), and redirects are followed by hand so each hop is checked the same way.
"""

from __future__ import annotations

import http.client
import ipaddress
import socket
import ssl
from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import urljoin, urlsplit

from pipeline.config import IngestSettings
from pipeline.errors import InputError

MAX_REDIRECTS = 5
ALLOWED_TYPES = {"text/html": ".html", "application/xhtml+xml": ".html", "application/pdf": ".pdf",
                 "text/plain": ".txt", "text/markdown": ".md", "text/x-markdown": ".md"}
# Fact-check feeds also come as JSON(-LD) and CSV.
FEED_TYPES = {**ALLOWED_TYPES, "application/json": ".json", "application/ld+json": ".jsonld", "text/csv": ".csv"}
_REDIRECTS = {301, 302, 303, 307, 308}
_CHUNK = 64 * 1024
_FIX = "Paste the article text instead, or ask an admin to list the host in ingest.url_allow_hosts"

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
Resolver = Callable[[str, int], list[str]]


def system_resolver(host: str, port: int) -> list[str]:
    """Every address the system resolver gives for a host (the seam tests replace)."""
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError) as exc:
        raise InputError(f"Cannot resolve the host {host} ({exc})", "Check the address") from None
    return list(dict.fromkeys(str(info[4][0]) for info in infos))


resolve: Resolver = system_resolver


def refusal(address: IPAddress) -> str:
    """Why an address is not public ("" when it is): loopback, private, link-local, multicast, reserved, unspecified."""
    if isinstance(address, ipaddress.IPv6Address):
        mapped = address.ipv4_mapped or address.sixtofour
        if mapped is not None:
            return refusal(mapped)
    for reason, flag in (("loopback", address.is_loopback), ("unspecified", address.is_unspecified),
                         ("link-local", address.is_link_local), ("multicast", address.is_multicast),
                         ("private", address.is_private), ("reserved", address.is_reserved)):
        if flag:
            return reason
    return "" if address.is_global else "not public"


@dataclass(frozen=True)
class Fetched:
    """A fetched document: where it finally came from, its content type and bytes."""

    url: str
    content_type: str
    data: bytes

    def file_name(self) -> str:
        """A file name whose extension matches the content type (the loaders pick a reader by extension)."""
        name = urlsplit(self.url).path.rsplit("/", 1)[-1] or "page"
        suffix = FEED_TYPES[self.content_type]
        return name if name.lower().endswith(suffix) else name + suffix


def fetch(url: str, settings: IngestSettings, types: dict[str, str] = ALLOWED_TYPES) -> Fetched:
    """GET a URL under the rules above into memory; refusals are one InputError."""
    chunks: list[bytes] = []
    final, kind = fetch_into(url, settings, chunks.append, types)
    return Fetched(final, kind, b"".join(chunks))


def fetch_into(url: str, settings: IngestSettings, write: Callable[[bytes], object],
               types: dict[str, str] = ALLOWED_TYPES) -> tuple[str, str]:
    """GET a URL under the rules above, following at most MAX_REDIRECTS redirects, handing the body to `write`
    piece by piece as it arrives; returns (final URL, content type). Refusals are one InputError."""
    allowed = {h.lower().strip("[]") for h in settings.url_allow_hosts}
    for _ in range(MAX_REDIRECTS + 1):
        host, port, target = _parse(url)
        response, conn = _request(url, host, port, target, allowed, settings)
        try:
            if response.status in _REDIRECTS and response.getheader("Location"):
                url = urljoin(url, response.getheader("Location", ""))
                continue
            return url, _read(url, response, settings.max_file_mb, types, write)
        finally:
            conn.close()
    raise InputError(f"{url} redirects more than {MAX_REDIRECTS} times", "Use the final address of the article")


def _parse(url: str) -> tuple[str, int, str]:
    """(host, port, path with query) of an http(s) URL."""
    parts = urlsplit(url.strip())
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise InputError(f"'{url}' is not an http(s) URL", "Give a full address starting with https://")
    try:
        port = parts.port or (443 if parts.scheme == "https" else 80)
    except ValueError:
        raise InputError(f"'{url}' has an invalid port", "Check the address") from None
    return parts.hostname.lower(), port, (parts.path or "/") + (f"?{parts.query}" if parts.query else "")


def checked_address(host: str, port: int, allowed: set[str]) -> str:
    """The address to connect to: every resolved address must be public unless the host is allow-listed."""
    addresses = resolve(host, port)
    if not addresses:
        raise InputError(f"Cannot resolve the host {host}", "Check the address")
    if host in allowed:
        return addresses[0]
    for text in addresses:
        reason = refusal(ipaddress.ip_address(text.split("%", 1)[0]))
        if reason:
            raise InputError(f"Refused to fetch from {host}: it resolves to a {reason} address ({text})", _FIX)
    return addresses[0]


class _PinnedHTTP(http.client.HTTPConnection):
    """An HTTP connection to an already checked address, with separate connect and read timeouts."""

    def __init__(self, host: str, port: int, address: str, connect_timeout: float, read_timeout: float):
        super().__init__(host, port, timeout=connect_timeout)
        self.address, self.read_timeout = address, read_timeout

    def connect(self) -> None:
        self.sock = socket.create_connection((self.address, self.port), self.timeout)
        self.sock.settimeout(self.read_timeout)


class _PinnedHTTPS(_PinnedHTTP):
    """HTTPS to the checked address; the certificate is verified against the host name."""

    def connect(self) -> None:
        super().connect()
        self.sock = ssl.create_default_context().wrap_socket(self.sock, server_hostname=self.host)


def _request(url: str, host: str, port: int, target: str, allowed: set[str],
             settings: IngestSettings) -> tuple[http.client.HTTPResponse, http.client.HTTPConnection]:
    """Send the GET to the checked address; network failures become one sentence."""
    address = checked_address(host, port, allowed)
    kind = _PinnedHTTPS if url.lower().startswith("https") else _PinnedHTTP
    conn = kind(host, port, address, settings.url_connect_timeout, settings.url_read_timeout)
    try:
        conn.request("GET", target, headers={"User-Agent": "factcheck-assistant/1.0", "Accept": ", ".join(
            ALLOWED_TYPES)})
        return conn.getresponse(), conn
    except (OSError, http.client.HTTPException) as exc:
        conn.close()
        raise InputError(f"Cannot fetch {url} ({_reason(exc)})", "Check the address, or paste the article text "
                                                                 "instead") from None


def _reason(exc: BaseException) -> str:
    """A short reason for a network failure."""
    if isinstance(exc, TimeoutError):
        return "timed out"
    return str(exc) or type(exc).__name__


def _read(url: str, response: http.client.HTTPResponse, max_mb: float, types: dict[str, str],
          write: Callable[[bytes], object]) -> str:
    """Check status and content type, then pass the body on as a stream up to the size cap; its content type."""
    if response.status != 200:
        raise InputError(f"{url} answered {response.status} {response.reason}", "Check the address")
    kind = response.headers.get_content_type()
    if kind not in types or not response.getheader("Content-Type"):
        raise InputError(f"{url} is {kind if response.getheader('Content-Type') else 'of unknown type'}, not an "
                         "HTML page, PDF, text or Markdown", "Fetch the article page itself, or upload the file")
    limit = int(max_mb * 1024 * 1024)
    declared = response.getheader("Content-Length", "")
    if declared.isdigit() and int(declared) > limit:
        raise InputError(f"{url} is over the {max_mb:g} MB limit", "Save the article and upload the text")
    size = 0
    try:
        while chunk := response.read(_CHUNK):
            size += len(chunk)
            if size > limit:
                raise InputError(f"{url} is over the {max_mb:g} MB limit", "Save the article and upload the text")
            write(chunk)
    except (OSError, http.client.HTTPException) as exc:
        raise InputError(f"Cannot fetch {url} ({_reason(exc)})", "Try again, or paste the article text") from None
    return kind
