"""Every error the project defines has one root a caller can catch, and one of its two families."""

from __future__ import annotations

import importlib
import inspect
import pkgutil
from typing import Any

import httpx
import pytest

import adapters
import bot
import evals
from bot.documents import FileError, _docx_text, _front_matter
from bot.errors import InputError, PuedoError, PuedoPublicarError, UnavailableError
from bot.index import IndexMissingError
from bot.service import QuestionError
from bot.sources.web import FetchError, HttpFetcher

#: Errors in neither family, and why.
OUTSIDE_THE_FAMILIES = {
    "SlackStartupError": "what the Slack entry point catches; raised as SlackSettingsError or SlackUnavailableError",
    "UnsupportedExport": "internal to bot.embeddings: raised and caught there",
}


def _project_errors() -> list[type[BaseException]]:
    found = []
    for package in (bot, adapters, evals):
        for info in pkgutil.walk_packages(package.__path__, f"{package.__name__}."):
            if info.name.endswith("__main__") or info.name.startswith("bot.migrations"):
                continue  # entry points; Alembic's scripts run only inside a migration
            module = importlib.import_module(info.name)
            found += [
                obj
                for _, obj in inspect.getmembers(module, inspect.isclass)
                if issubclass(obj, BaseException)
                and obj.__module__ == module.__name__
                and not obj.__name__.startswith("_")  # internal control flow, never raised to callers
            ]
    return found


def test_every_project_error_derives_from_the_root() -> None:
    errors = _project_errors()
    assert len(errors) >= 13
    assert [e.__qualname__ for e in errors if not issubclass(e, PuedoPublicarError)] == []


def test_the_root_keeps_the_specific_bases() -> None:
    with pytest.raises(ValueError):  # code that caught ValueError still does
        raise QuestionError("vacía")
    with pytest.raises(PuedoPublicarError):
        raise QuestionError("vacía")


def test_every_project_error_is_in_one_family() -> None:
    both = [e.__qualname__ for e in _project_errors() if issubclass(e, InputError) and issubclass(e, UnavailableError)]
    assert both == []
    outside = {
        e.__qualname__
        for e in _project_errors()
        if not issubclass(e, InputError | UnavailableError)
        and e not in (PuedoPublicarError, InputError, UnavailableError)
    }
    assert outside <= set(OUTSIDE_THE_FAMILIES)


def test_the_families_sort_the_errors() -> None:
    from adapters.slack.startup import SlackSettingsError, SlackStartupError, SlackUnavailableError
    from adapters.telegram.startup import StartupError
    from bot.arbiter import ArbiterError
    from bot.embeddings import ModelError
    from bot.feedback import FeedbackError
    from bot.glossary import GlossaryError
    from bot.index import IndexMissingError, IndexStoreError
    from bot.settings import SettingsError
    from bot.sources.boe import BOEFormatError
    from bot.sources.sync import SourcesConfigError
    from bot.sources.web import NotInMirror
    from evals.dataset import DatasetError

    for error in (SettingsError, FileError, GlossaryError, SourcesConfigError, FeedbackError, DatasetError,
                  ArbiterError, StartupError, SlackSettingsError):  # fmt: skip
        assert issubclass(error, InputError), error
    for error in (IndexStoreError, IndexMissingError, ModelError, FetchError, NotInMirror, BOEFormatError,
                  SlackUnavailableError):  # fmt: skip
        assert issubclass(error, UnavailableError), error
    # The built-in bases they had are kept.
    assert issubclass(IndexStoreError, RuntimeError) and issubclass(ModelError, RuntimeError)
    assert issubclass(GlossaryError, ValueError) and issubclass(BOEFormatError, ValueError)
    # The Slack entry point's exit codes follow the family.
    assert SlackSettingsError("x").exit_code == 2 and SlackUnavailableError("x").exit_code == 1
    assert issubclass(SlackSettingsError, SlackStartupError) and issubclass(SlackUnavailableError, SlackStartupError)


def test_puedo_error_is_the_root() -> None:
    assert PuedoError is PuedoPublicarError


def test_a_bad_question_is_an_input_error_and_a_missing_index_an_unavailable_one() -> None:
    assert issubclass(QuestionError, InputError) and issubclass(QuestionError, ValueError)
    assert issubclass(IndexMissingError, UnavailableError)


@pytest.mark.parametrize(
    ("raised", "message"),
    [
        (httpx.ConnectError("refused"), "no se puede conectar"),
        (httpx.ReadTimeout("slow"), "tiempo de espera agotado"),
        (httpx.DecodingError("bad gzip"), "respuesta dañada"),
        (httpx.TooManyRedirects("loop"), "demasiadas redirecciones"),
        (httpx.UnsupportedProtocol("ftp"), "no se puede conectar"),
    ],
)
def test_httpx_errors_become_fetch_errors(raised: Exception, message: str) -> None:
    """No httpx exception leaves bot.sources.web: each is a FetchError, an UnavailableError."""

    def fail(request: httpx.Request) -> httpx.Response:
        raise raised

    fetcher = HttpFetcher(
        "https://boe.example", retries=1, backoff=0, client=httpx.Client(transport=httpx.MockTransport(fail))
    )
    with pytest.raises(FetchError, match=message) as error:
        fetcher.get("legislacion-consolidada/id/BOE-A-2015-11719", accept="application/json")
    assert isinstance(error.value, UnavailableError)
    assert error.value.__cause__ is None  # a message for policy owners, not httpx's traceback


def _zip(files: dict[str, str]) -> bytes:
    import io
    import zipfile

    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, text in files.items():
            archive.writestr(name, text)
    return buffer.getvalue()


@pytest.mark.parametrize(
    "read",
    [
        lambda: _front_matter("---\n1: clave que no es texto\n---\nTexto\n"),
        lambda: _front_matter("---\nfecha: 2023-13-45\n---\nTexto\n"),
        lambda: _docx_text(b"no es un zip"),
        lambda: _docx_text(_zip({"[Content_Types].xml": "<sin cerrar"})),
    ],
    ids=["non-string key", "impossible date", "not a zip", "broken xml"],
)
def test_narrowed_file_handlers_still_explain_odd_files(read: Any) -> None:
    with pytest.raises(FileError):
        read()


@pytest.mark.parametrize(
    ("script", "missing", "extra"),
    [("slack", "slack_bolt", "puedo-publicar[slack]"), ("telegram", "telegram", "puedo-publicar[telegram]")],
)
def test_an_adapter_installed_without_its_extra_names_the_extra(script: str, missing: str, extra: str) -> None:
    import subprocess
    import sys

    code = (
        "import sys\n"
        f"sys.modules[{missing!r}] = None  # as if the extra were not installed\n"
        "from adapters import entry\n"
        f"sys.exit(entry.{script}())\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120, check=False)
    assert result.returncode == 2
    assert result.stderr.startswith("Error: Falta ") and extra in result.stderr
    assert "Traceback" not in result.stderr
