"""Fetching official texts: over HTTP (httpx, timeouts, retries with backoff) or from a local
mirror laid out like the BOE API (``--from DIR``).

Both fetchers raise :class:`FetchError` (an :class:`~bot.errors.UnavailableError`) with a
message in Spanish that says what went wrong (404, 500, timeout, truncated body, unexpected
content type...): no httpx exception leaves this module.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

import httpx
from tenacity import (
    Retrying,
    retry_if_exception,
    stop_after_attempt,
    wait_exponential,
)

from bot import __version__
from bot.errors import UnavailableError

USER_AGENT = f"PuedoPublicar/{__version__} (+https://github.com/puedo-publicar; sincronizacion de fuentes oficiales)"


class FetchError(UnavailableError):
    """A source could not be fetched; ``str()`` is a message for policy owners."""


class NotInMirror(FetchError):
    """The local mirror does not carry this source (a deployment with the BOE reachable syncs it)."""


@dataclass(frozen=True)
class Fetched:
    """A response body and its content type."""

    body: bytes
    content_type: str


class Fetcher(Protocol):
    """Gets a document by its path below the BOE API base (or by a full URL)."""

    def get(self, path_or_url: str, *, accept: str) -> Fetched: ...


class _Retryable(Exception):
    """Internal: a failure worth retrying (timeouts, connection errors, 5xx, 429)."""

    def __init__(self, error: FetchError) -> None:
        super().__init__(str(error))
        self.error = error


class HttpFetcher:
    """HTTP with timeouts, a clear User-Agent, and retries with exponential backoff."""

    def __init__(
        self,
        base_url: str,
        *,
        timeout: float = 30.0,
        retries: int = 3,
        backoff: float = 0.5,
        client: httpx.Client | None = None,
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self.retries = retries
        self.backoff = backoff
        self.client = client or httpx.Client(
            timeout=httpx.Timeout(timeout), headers={"User-Agent": USER_AGENT}, follow_redirects=True
        )

    def close(self) -> None:
        self.client.close()

    def url(self, path_or_url: str) -> str:
        if path_or_url.startswith(("http://", "https://")):
            return path_or_url
        return f"{self.base_url}/{path_or_url.lstrip('/')}"

    def get(self, path_or_url: str, *, accept: str) -> Fetched:
        url = self.url(path_or_url)
        retrying = Retrying(
            stop=stop_after_attempt(self.retries + 1),
            wait=wait_exponential(multiplier=self.backoff, max=30),
            retry=retry_if_exception(lambda exc: isinstance(exc, _Retryable)),
            reraise=True,
        )
        try:
            for attempt in retrying:
                with attempt:
                    return self._get_once(url, accept)
        except _Retryable as exc:
            raise FetchError(f"{exc.error} (tras {self.retries + 1} intentos)") from None
        raise AssertionError("unreachable")  # pragma: no cover

    def _get_once(self, url: str, accept: str) -> Fetched:
        try:
            response = self.client.get(url, headers={"Accept": accept})
            body = response.read()
        except httpx.TimeoutException:
            raise _Retryable(FetchError(f"{url}: tiempo de espera agotado")) from None
        except (httpx.RemoteProtocolError, httpx.ReadError) as exc:  # httpx also checks Content-Length
            raise _Retryable(FetchError(f"{url}: respuesta incompleta o cortada ({exc})")) from None
        except httpx.TransportError as exc:
            raise _Retryable(FetchError(f"{url}: no se puede conectar ({exc})")) from None
        except httpx.DecodingError as exc:  # a compressed body cut or damaged on the way
            raise _Retryable(FetchError(f"{url}: respuesta dañada ({exc})")) from None
        except httpx.TooManyRedirects:
            raise FetchError(f"{url}: demasiadas redirecciones") from None
        except (httpx.HTTPError, httpx.InvalidURL) as exc:  # anything else httpx raises
            raise FetchError(f"{url}: la petición ha fallado ({exc.__class__.__name__}: {exc})") from None
        status = response.status_code
        if status == 404:
            raise FetchError(f"{url}: no existe (404); revisa el identificador")
        if status == 429 or status >= 500:
            raise _Retryable(FetchError(f"{url}: el servidor respondió {status}"))
        if status >= 400:
            raise FetchError(f"{url}: el servidor respondió {status}")
        content_type = response.headers.get("content-type", "")
        check_content_type(url, content_type, accept)
        return Fetched(body, content_type)


def check_content_type(url: str, content_type: str, accept: str) -> None:
    """Refuse an HTML error page served where JSON or XML was expected."""
    wanted = accept.split("/", 1)[-1].split(";", maxsplit=1)[0]  # json, xml, html
    if content_type and wanted not in content_type.lower():
        raise FetchError(f"{url}: tipo de contenido inesperado «{content_type}» (se esperaba {accept})")


class MirrorFetcher:
    """Reads a local mirror: ``DIR/boe-api/<API path>`` for laws, ``DIR/terms/...`` for terms."""

    def __init__(self, root: Path) -> None:
        if not root.is_dir():
            raise FetchError(f"la carpeta espejo {root} no existe")
        self.root = root

    def get(self, path_or_url: str, *, accept: str) -> Fetched:
        path = self.root / "boe-api" / path_or_url.lstrip("/")
        try:
            body = path.read_bytes()
        except FileNotFoundError:
            raise NotInMirror(f"{path}: no está en el espejo") from None
        except OSError as exc:
            raise FetchError(f"{path}: no se puede leer ({exc.strerror})") from None
        return Fetched(body, accept)

    def terms(self, service: str, document: str) -> str:
        path = self.root / "terms" / service / f"{document}.md"
        try:
            return path.read_text(encoding="utf-8")
        except FileNotFoundError:
            raise NotInMirror(f"{path}: no está en el espejo") from None
        except (OSError, UnicodeDecodeError) as exc:
            raise FetchError(f"{path}: no se puede leer ({exc})") from None
