"""Fetching by URL refuses every non-public address (each redirect hop too) unless allow-listed; real local servers."""

import ipaddress
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from conftest import ROOT
from streamlit.testing.v1 import AppTest

from factcheck.wiring import Engine
from pipeline import cli, fetch
from pipeline.config import IngestSettings
from pipeline.errors import InputError
from pipeline.loaders import fetch_url

PAGE = (b"<html><head><title>Port report</title></head><body><p>The shipment of grain reached the port of "
        b"Odesa on 3 May 2022, officials said.</p></body></html>")


class Handler(BaseHTTPRequestHandler):
    """/page.html, /redirect?to=URL, /loop/N (redirects forever), /big (chunked, no length), /png, /slow."""

    def do_GET(self):
        if self.path == "/page.html":
            self._send(200, "text/html; charset=utf-8", PAGE)
        elif self.path.startswith("/redirect?to="):
            self._send(302, "text/html", b"", location=self.path.split("=", 1)[1])
        elif self.path.startswith("/loop/"):
            self._send(302, "text/html", b"", location=f"/loop/{int(self.path.rsplit('/', 1)[1]) + 1}")
        elif self.path == "/big":
            self.send_response(200)
            self.send_header("Content-Type", "text/plain")
            self.end_headers()
            for _ in range(100):
                self.wfile.write(b"x" * 1024)
        elif self.path == "/png":
            self._send(200, "image/png", b"\x89PNG....")
        elif self.path == "/slow":
            time.sleep(3)
            self._send(200, "text/plain", b"late")
        else:
            self._send(404, "text/plain", b"no")

    def _send(self, status, kind, body, location=""):
        self.send_response(status)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(body)))
        if location:
            self.send_header("Location", location)
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


@pytest.fixture
def server():
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()
    httpd.server_close()


def allowing(*hosts, **more) -> IngestSettings:
    return IngestSettings(url_allow_hosts=list(hosts), **more)


REFUSED = ["127.0.0.1", "127.8.9.10", "10.1.2.3", "172.16.0.1", "192.168.1.1", "169.254.169.254", "100.64.0.1",
           "224.0.0.1", "240.0.0.1", "255.255.255.255", "0.0.0.0", "::1", "::", "fe80::1", "fc00::1", "fd12::1",
           "ff02::1", "::ffff:127.0.0.1", "::ffff:169.254.169.254", "::ffff:10.0.0.1", "2002:7f00:1::1", "2001:db8::1"]


@pytest.mark.parametrize("address", REFUSED)
def test_non_public_addresses_are_refused(address):
    assert fetch.refusal(ipaddress.ip_address(address))


@pytest.mark.parametrize("address", ["93.184.215.14", "1.1.1.1", "2606:4700:4700::1111", "::ffff:93.184.215.14"])
def test_public_addresses_pass(address):
    assert fetch.refusal(ipaddress.ip_address(address)) == ""


def test_loopback_is_refused_by_default_and_fetched_when_listed(server):
    with pytest.raises(InputError, match=r"resolves to a loopback address \(127\.0\.0\.1\)"):
        fetch_url(f"{server}/page.html", IngestSettings())
    article = fetch_url(f"{server}/page.html", allowing("127.0.0.1"))
    assert article.title == "Port report" and "Odesa" in article.text and article.url == f"{server}/page.html"


def test_a_name_resolving_to_loopback_is_refused(server):
    port = server.rsplit(":", 1)[1]
    with pytest.raises(InputError, match="localhost: it resolves to a loopback address") as refused:
        fetch_url(f"http://localhost:{port}/page.html", IngestSettings())
    assert refused.value.user_message().count(".") >= 1 and "\n" not in refused.value.user_message()


def test_a_redirect_from_an_allowed_host_to_a_refused_one_is_refused(server):
    port = server.rsplit(":", 1)[1]
    with pytest.raises(InputError, match="Refused to fetch from localhost"):
        fetch_url(f"{server}/redirect?to=http://localhost:{port}/page.html", allowing("127.0.0.1"))
    with pytest.raises(InputError, match=r"169\.254\.169\.254: it resolves to a link-local"):
        fetch_url(f"{server}/redirect?to=http://169.254.169.254/latest/meta-data/", allowing("127.0.0.1"))
    assert "Odesa" in fetch_url(f"{server}/redirect?to=/page.html", allowing("127.0.0.1")).text


def test_every_resolved_address_must_be_public_and_the_connection_goes_to_the_checked_one(server, monkeypatch):
    port = int(server.rsplit(":", 1)[1])
    lookups = []

    def resolver(host, port):
        lookups.append(host)
        return {"mixed.test": ["93.184.215.14", "10.0.0.7"], "archive.test": ["127.0.0.1"]}[host]

    monkeypatch.setattr(fetch, "resolve", resolver)
    with pytest.raises(InputError, match=r"mixed.test: it resolves to a private address \(10.0.0.7\)"):
        fetch_url(f"http://mixed.test:{port}/page.html", IngestSettings())
    # archive.test exists only in this resolver: the fetch connects to the address it checked, resolving once.
    assert "Odesa" in fetch_url(f"http://archive.test:{port}/page.html", allowing("archive.test")).text
    assert lookups == ["mixed.test", "archive.test"]


@pytest.mark.parametrize("url, message", [
    ("file:///etc/passwd", r"is not an http\(s\) URL"), ("ftp://example.org/a.txt", r"is not an http\(s\) URL"),
    ("gopher://127.0.0.1:70/", r"is not an http\(s\) URL"), ("http://", r"is not an http\(s\) URL")])
def test_only_http_and_https_are_fetched(url, message):
    with pytest.raises(InputError, match=message):
        fetch_url(url, IngestSettings())


def test_type_size_redirect_count_and_timeouts_are_limited(server):
    with pytest.raises(InputError, match="is image/png, not an HTML page, PDF, text or Markdown"):
        fetch_url(f"{server}/png", allowing("127.0.0.1"))
    with pytest.raises(InputError, match=r"over the 0\.05 MB limit"):
        fetch_url(f"{server}/big", allowing("127.0.0.1", max_file_mb=0.05))
    with pytest.raises(InputError, match="redirects more than 5 times"):
        fetch_url(f"{server}/loop/0", allowing("127.0.0.1"))
    with pytest.raises(InputError, match="timed out"):
        fetch_url(f"{server}/slow", allowing("127.0.0.1", url_read_timeout=0.3))


def test_a_download_reaches_its_file_piece_by_piece_as_it_arrives(server):
    pieces = []
    final, kind = fetch.fetch_into(f"{server}/redirect?to=/big", allowing("127.0.0.1"), pieces.append)
    assert final == f"{server}/big" and kind == "text/plain"
    assert sum(map(len, pieces)) == 100 * 1024 and len(pieces) >= 2 and max(map(len, pieces)) <= fetch._CHUNK


def test_cli_ingest_fetches_urls_through_the_same_rules(server, tmp_path, monkeypatch, embedder, capsys):
    monkeypatch.setenv("FACTCHECK_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("FACTCHECK_LLM__PROVIDER", "offline")

    def ingest(*urls):
        return cli.main(["ingest", *urls], lambda s: Engine(s, overrides={"embedder": embedder}))

    assert ingest(f"{server}/page.html") == 1
    assert "resolves to a loopback address" in capsys.readouterr().err
    monkeypatch.setenv("FACTCHECK_INGEST__URL_ALLOW_HOSTS", '["127.0.0.1"]')
    assert ingest(f"{server}/page.html", "http://169.254.169.254/latest/") == 3
    out = capsys.readouterr()
    assert "Added 1 article(s)" in out.out and "169.254.169.254: it resolves to a link-local address" in out.err


def test_library_url_input_refuses_loopback(server, tmp_path, monkeypatch):
    monkeypatch.setenv("FACTCHECK_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("FACTCHECK_LLM__PROVIDER", "offline")
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=180).run()
    at.switch_page("ui/pages/library.py").run()
    at.text_area(key="lib_urls").input(f"{server}/page.html").run()
    next(b for b in at.button if b.label == "Fetch and add").click().run()
    assert any("resolves to a loopback address" in e.value for e in at.error), [e.value for e in at.error]
