"""A fake BOE open-data API (consolidated legislation) and a terms-of-use page, on 127.0.0.1.

Serves ``/legislacion-consolidada/id/<ID>/metadatos`` (JSON) and ``.../texto`` (XML) for laws
registered with :meth:`FakeBOE.add_law`, plain pages with :meth:`FakeBOE.add_page`, and can be
told to misbehave per path (status, delay, truncated body, wrong content type, raw body).
Every request is recorded so tests can check what was (not) downloaded.
"""

from __future__ import annotations

import json
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Self
from xml.sax.saxutils import escape, quoteattr


@dataclass
class Version:
    """One ``<version>`` of a block: its dates and paragraphs (``("class", "text")``)."""

    paragraphs: list[tuple[str, str]]
    fecha_vigencia: str = "20200101"
    fecha_publicacion: str = "20200101"
    extra: str = ""  # raw XML appended inside the version (tables, notes)


@dataclass
class Block:
    """A ``<bloque>`` of a law's text (an article, a heading...) with its versions."""

    id: str
    tipo: str
    titulo: str
    versions: list[Version]


@dataclass
class Law:
    """A consolidated law as the API serves it: its metadata (JSON) and its text (XML)."""

    id: str
    title: str
    updated: str
    blocks: list[Block]

    def metadata(self) -> bytes:
        record = {
            "identificador": self.id,
            "titulo": self.title,
            "fecha_actualizacion": self.updated,
            "estatus_derogacion": "N",
            "url_html_consolidada": f"https://www.boe.es/buscar/act.php?id={self.id}",
        }
        return json.dumps({"status": {"code": "200", "text": "ok"}, "data": [record]}, ensure_ascii=False).encode()

    def text(self) -> bytes:
        out = ['<?xml version="1.0" encoding="utf-8"?>', "<response><status><code>200</code></status><data><texto>"]
        for block in self.blocks:
            out.append(
                f"<bloque id={quoteattr(block.id)} tipo={quoteattr(block.tipo)} titulo={quoteattr(block.titulo)}>"
            )
            for version in block.versions:
                out.append(
                    f'<version id_norma="{self.id}" fecha_publicacion="{version.fecha_publicacion}" '
                    f'fecha_vigencia="{version.fecha_vigencia}">'
                )
                out.extend(f'<p class="{cls}">{escape(text)}</p>' for cls, text in version.paragraphs)
                out.append(version.extra)
                out.append("</version>")
            out.append("</bloque>")
        out.append("</texto></data></response>")
        return "\n".join(out).encode("utf-8")


@dataclass
class Fault:
    """How to misbehave on one path: a status, a delay, a content type, a raw or truncated body."""

    status: int = 200
    delay: float = 0.0
    content_type: str | None = None
    body: bytes | None = None
    truncate: bool = False


@dataclass
class FakeBOE:
    """The server. Use as a context manager; ``base_url`` is the API base for the sync."""

    laws: dict[str, Law] = field(default_factory=dict)
    pages: dict[str, tuple[str, bytes]] = field(default_factory=dict)
    faults: dict[str, Fault] = field(default_factory=dict)
    requests: list[tuple[str, dict[str, str]]] = field(default_factory=list)

    def __post_init__(self) -> None:
        self._lock = threading.Lock()
        self._server: ThreadingHTTPServer | None = None

    def add_law(self, law: Law) -> None:
        self.laws[law.id] = law

    def add_page(self, path: str, html: str) -> str:
        self.pages[path] = ("text/html; charset=utf-8", html.encode("utf-8"))
        return f"{self.root_url}{path}"

    def fail(self, path: str, **fault: Any) -> None:
        """Make ``path`` misbehave until :meth:`heal` (see :class:`Fault`)."""
        self.faults[path] = Fault(**fault)

    def heal(self) -> None:
        self.faults.clear()

    def paths(self) -> list[str]:
        with self._lock:
            return [path for path, _ in self.requests]

    @property
    def root_url(self) -> str:
        assert self._server is not None
        return f"http://127.0.0.1:{self._server.server_address[1]}"

    @property
    def base_url(self) -> str:
        return f"{self.root_url}/datosabiertos/api"

    def __enter__(self) -> Self:
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                fake._serve(self)

            def log_message(self, format: str, *args: Any) -> None:
                pass

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        threading.Thread(target=self._server.serve_forever, daemon=True).start()
        return self

    def __exit__(self, *exc: object) -> None:
        assert self._server is not None
        self._server.shutdown()
        self._server.server_close()

    def _serve(self, handler: BaseHTTPRequestHandler) -> None:
        path = handler.path.split("?", 1)[0]
        with self._lock:
            self.requests.append((path, {k.lower(): v for k, v in handler.headers.items()}))
        status, content_type, body = self._route(path)
        fault = self.faults.get(path)
        if fault is not None:
            time.sleep(fault.delay)
            status = fault.status
            content_type = fault.content_type or content_type
            body = fault.body if fault.body is not None else body
        try:
            handler.send_response(status)
            handler.send_header("Content-Type", content_type)
            handler.send_header("Content-Length", str(len(body)))
            handler.end_headers()
            handler.wfile.write(body[: len(body) // 3] if fault is not None and fault.truncate else body)
        except (BrokenPipeError, ConnectionResetError):  # the client gave up (timeout tests)
            pass

    def _route(self, path: str) -> tuple[int, str, bytes]:
        if path in self.pages:
            return 200, *self.pages[path]
        prefix = "/datosabiertos/api/legislacion-consolidada/id/"
        if path.startswith(prefix):
            law_id, _, kind = path.removeprefix(prefix).partition("/")
            law = self.laws.get(law_id)
            if law is not None and kind == "metadatos":
                return 200, "application/json", law.metadata()
            if law is not None and kind == "texto":
                return 200, "application/xml", law.text()
        return 404, "application/json", b'{"status": {"code": "404", "text": "No encontrado"}}'
