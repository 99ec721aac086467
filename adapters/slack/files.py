"""Slack files → :class:`~adapters.attachments.Attachment` values, and downloading them.

A message event (or the message of a shortcut, or a thread's first message) lists its files
in ``files``: :func:`attachments_of` describes them from that alone. In the worker,
:meth:`SlackFiles.fetch` asks ``files.info`` for the file (the ``files:read`` scope) and
downloads its ``url_private`` with the bot token (``Authorization: Bearer …``), bounded in time
and size. Without ``files:read`` Slack answers ``url_private`` with its login page (HTML, HTTP
200): that is a failed download, not a file.

The token is only ever sent to Slack's own hosts (``*.slack.com``, ``*.slack-gov.com``) or to
the host of the Web API the client talks to (a test's fake). Names and URLs of files are
registered as sensitive (:func:`bot.logs.sensitive`) and never logged; a failure is logged
with Slack's error code or the HTTP status only.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Iterable
from typing import Any
from urllib.parse import urlsplit

import httpx
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError, SlackClientError

from adapters.attachments import (
    Attachment,
    AttachmentError,
    Kind,
    classify,
    download_failed_text,
    too_big_text,
    unsupported_text,
)
from bot import logs

__all__ = ["DOWNLOAD_SECONDS", "SlackFiles", "attachments_of", "user_file_strings"]

log = logging.getLogger("adapters.slack")

#: The longest a file's download may take, ``files.info`` included.
DOWNLOAD_SECONDS = 30.0
#: Hosts the bot token may be sent to (besides the Web API's own).
SLACK_HOSTS = ("slack.com", "slack-gov.com")
#: Files that are not a file to read: a link to Google Drive, a deleted file, one past the plan's limit…
_NOT_HOSTED = frozenset({"external", "tombstone", "hidden_by_limit", "snippet", "post", "space", "list"})


def attachments_of(files: Any) -> tuple[Attachment, ...]:
    """The files of a Slack message, as the event lists them (nothing downloaded)."""
    found = []
    for item in files if isinstance(files, list) else []:
        if not isinstance(item, dict) or not item.get("id"):
            continue
        size = item.get("size")
        if item.get("file_access") == "check_file_info":  # Slack Connect: only files.info says what it is
            kind = Kind.UNKNOWN
        elif item.get("mode") in _NOT_HOSTED:
            kind = Kind.OTHER
        else:
            kind = classify(item.get("mimetype"), item.get("name"))
        found.append(Attachment(kind, str(item["id"]), size if isinstance(size, int) else None))
    return tuple(found)


def user_file_strings(files: Iterable[Any]) -> list[str]:
    """What of a file object could identify it or its owner: name, title, URLs."""
    keys = ("name", "title", "url_private", "url_private_download", "permalink", "permalink_public")
    return [str(f[k]) for f in files if isinstance(f, dict) for k in keys if f.get(k)]


class SlackFiles:
    """Downloads the files of questions with ``client``'s token (an :data:`~adapters.attachments.Fetch`)."""

    def __init__(self, client: WebClient, *, timeout: float = DOWNLOAD_SECONDS) -> None:
        self.client = client
        self.timeout = timeout

    def fetch(self, attachment: Attachment, max_bytes: int) -> bytes:
        """``files.info``, then the file's ``url_private``; at most ``max_bytes``."""
        deadline = time.monotonic() + self.timeout
        try:
            info = self.client.files_info(file=attachment.ref)
        except SlackApiError as exc:
            log.warning("Slack files.info failed: %s", exc.response.get("error"))
            raise AttachmentError(download_failed_text()) from None
        except (SlackClientError, OSError) as exc:
            log.warning("Slack files.info failed: %s", type(exc).__name__)
            raise AttachmentError(download_failed_text()) from None
        file = info.get("file") or {}
        logs.sensitive(*user_file_strings([file]))
        if file.get("mode") in _NOT_HOSTED or classify(file.get("mimetype"), file.get("name")) is Kind.OTHER:
            raise AttachmentError(unsupported_text())
        size = file.get("size")
        if isinstance(size, int) and size > max_bytes:
            raise AttachmentError(too_big_text(size, max_bytes))
        url = str(file.get("url_private") or "")
        if not self._trusted(url):
            log.warning("Slack gave a file URL outside Slack's hosts; not sending the token there")
            raise AttachmentError(download_failed_text())
        return self._download(url, max_bytes, deadline)

    def _trusted(self, url: str) -> bool:
        """Whether the bot token may go to ``url``: Slack's hosts over HTTPS, or the Web API's own host."""
        target, api = urlsplit(url), urlsplit(self.client.base_url)
        host = (target.hostname or "").lower()
        if target.scheme == api.scheme and host == (api.hostname or "").lower() and target.port == api.port:
            return True
        return target.scheme == "https" and any(host == h or host.endswith(f".{h}") for h in SLACK_HOSTS)

    def _download(self, url: str, max_bytes: int, deadline: float) -> bytes:
        headers = {"Authorization": f"Bearer {self.client.token}"}
        remaining = max(deadline - time.monotonic(), 1.0)
        chunks: list[bytes] = []
        received = 0
        try:
            # httpx drops the Authorization header on a redirect to another host.
            with (
                httpx.Client(timeout=remaining, follow_redirects=True, max_redirects=3) as http,
                http.stream("GET", url, headers=headers) as response,
            ):
                if response.status_code != 200:
                    log.warning("Slack answered HTTP %s for a file", response.status_code)
                    raise AttachmentError(download_failed_text())
                if response.headers.get("content-type", "").lower().startswith("text/html"):
                    log.warning("Slack answered a file with its login page: does the app have the files:read scope?")
                    raise AttachmentError(download_failed_text())
                declared = response.headers.get("content-length", "")
                if declared.isdigit() and int(declared) > max_bytes:
                    raise AttachmentError(too_big_text(int(declared), max_bytes))
                for chunk in response.iter_bytes():
                    received += len(chunk)
                    if received > max_bytes:
                        raise AttachmentError(too_big_text(None, max_bytes))
                    if time.monotonic() > deadline:
                        log.warning("A Slack file took more than %.0f s to download", self.timeout)
                        raise AttachmentError(download_failed_text())
                    chunks.append(chunk)
        except httpx.HTTPError as exc:
            log.warning("Could not download a Slack file: %s", type(exc).__name__)
            raise AttachmentError(download_failed_text()) from None
        return b"".join(chunks)
