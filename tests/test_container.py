"""The container's parts that run here without a container engine: the entrypoint script (run
as the image runs it, with the installed console scripts on PATH), the Dockerfile and the
script through their linters (hadolint, shellcheck: PyPI wheels in the dev extra), and
compose.yaml's wiring. Building and running the image itself is not tested here."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tomllib
from collections.abc import Iterator
from importlib.metadata import version
from pathlib import Path

import pytest
import yaml

from tests.test_sources import LAW_ID, law_v1

ROOT = Path(__file__).resolve().parents[1]
ENTRYPOINT = ROOT / "docker" / "entrypoint.sh"
BIN = Path(sys.executable).parent


def _run(args: list[str], env: dict[str, str], timeout: float = 240) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        ["sh", str(ENTRYPOINT), *args], env=env, capture_output=True, text=True, timeout=timeout, check=False
    )


@pytest.fixture
def env(tmp_path: Path, knowledge: Path) -> dict[str, str]:
    base = {k: v for k, v in os.environ.items() if not k.startswith("BOT_")}
    return {
        **base,
        "PATH": f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}",
        "BOT_DATA_DIR": str(tmp_path / "data"),
        "BOT_KNOWLEDGE_DIR": str(knowledge),
        "HF_HUB_OFFLINE": "1",
        "BOT_DOUBT_CASES_DIR": "",  # no second opinion to train (tests/test_doubt.py has it)
    }


@pytest.fixture
def boe(knowledge: Path) -> Iterator[str]:
    from fakes.boe_api import FakeBOE

    with FakeBOE() as server:
        server.add_law(law_v1())
        (knowledge / "sources.toml").write_text(f'[[ley]]\nid = "{LAW_ID}"\nobligatoria = true\n', encoding="utf-8")
        yield server.base_url


def test_a_missing_or_unknown_role_shows_the_usage(env: dict[str, str]) -> None:
    for args in ([], ["servidor"]):
        result = _run(args, env)
        assert result.returncode == 2 and "uso: entrypoint.sh slack|telegram|sync|index|cli" in result.stderr


def test_without_a_data_dir_it_says_which_variable(env: dict[str, str]) -> None:
    del env["BOT_DATA_DIR"]
    result = _run(["sync"], env)
    assert result.returncode != 0 and "BOT_DATA_DIR" in result.stderr


def test_cli_role_runs_any_command(env: dict[str, str]) -> None:
    result = _run(["cli", "--version"], env)
    assert result.returncode == 0 and result.stdout.startswith("python -m bot ")


def test_sync_role_syncs_indexes_and_summarises(env: dict[str, str], boe: str) -> None:
    env |= {"BOT_BOE_API_BASE": boe, "BOT_HTTP_RETRIES": "0"}
    result = _run(["sync"], env)
    assert result.returncode == 0, result.stderr
    assert (
        result.stdout.strip().splitlines()[-1].startswith("sources sync: 1 fuentes · 1 nuevo · 0 con errores · índice")
    )
    assert (Path(env["BOT_DATA_DIR"]) / "sources-state.json").is_file()


def test_an_adapter_role_syncs_on_the_first_start_then_starts_the_adapter(env: dict[str, str], boe: str) -> None:
    env |= {"BOT_BOE_API_BASE": boe, "BOT_HTTP_RETRIES": "0"}
    result = _run(["slack"], env)  # no Slack token: the adapter itself refuses to start
    assert "Primera puesta en marcha" in result.stderr
    assert (Path(env["BOT_DATA_DIR"]) / "sources-state.json").is_file()
    assert result.returncode == 2 and "BOT_SLACK_BOT_TOKEN" in result.stderr
    again = _run(["telegram"], env)  # synced already: straight to the adapter
    assert "Primera puesta en marcha" not in again.stderr
    assert again.returncode == 2 and "BOT_TELEGRAM_TOKEN" in again.stderr


@pytest.mark.parametrize(("tool", "target"), [("hadolint", "Dockerfile"), ("shellcheck", "docker/entrypoint.sh")])
def test_the_dockerfile_and_the_entrypoint_pass_their_linters(tool: str, target: str) -> None:
    binary = shutil.which(tool, path=str(BIN)) or shutil.which(tool)
    assert binary, f"{tool} comes with the dev extra (scripts/bootstrap.sh)"
    result = subprocess.run([binary, target], cwd=ROOT, capture_output=True, text=True, timeout=60, check=False)
    assert result.returncode == 0, result.stdout + result.stderr


def test_the_image_runs_as_a_non_root_user_offline() -> None:
    dockerfile = (ROOT / "Dockerfile").read_text(encoding="utf-8")
    assert dockerfile.count("\nFROM ") + dockerfile.startswith("FROM ") >= 2  # multi-stage
    assert "download.pytorch.org/whl/cpu" in dockerfile and "USER 10001:10001" in dockerfile
    assert "HF_HUB_OFFLINE=1" in dockerfile and 'ENTRYPOINT ["puedo-entrypoint"]' in dockerfile
    # The second opinion learns from the dev cases and conversations in the image; the test split never goes in.
    assert (
        "COPY evals/cases/*.jsonl /app/evals/cases/" in dockerfile
        and "BOT_DOUBT_CASES_DIR=/app/evals/cases" in dockerfile
        and "COPY evals/conversations/*.jsonl /app/evals/conversations/" in dockerfile
        and "BOT_DOUBT_CONVERSATIONS_DIR=/app/evals/conversations" in dockerfile
    )
    assert not [line for line in dockerfile.splitlines() if line.startswith("COPY") and "test" in line]


def test_compose_wires_every_role_to_one_chroma_server() -> None:
    compose = yaml.safe_load((ROOT / "compose.yaml").read_text(encoding="utf-8"))
    services = compose["services"]
    assert set(services) == {"chroma", "postgres", "slack", "telegram", "sync"}
    assert services["chroma"]["image"] == f"chromadb/chroma:{version('chromadb')}"
    assert services["postgres"]["healthcheck"]["test"][0] == "CMD-SHELL"
    for name in ("slack", "telegram", "sync"):
        service = services[name]
        assert service["command"] == [name]  # a role the entrypoint knows
        assert service["environment"]["BOT_CHROMA_MODE"] == "server"
        assert service["environment"]["BOT_CHROMA_HOST"] == "chroma"
        # the state replicas share, in PostgreSQL, once it is healthy; the password from .env
        url = service["environment"]["BOT_DATABASE_URL"]
        assert url.startswith("postgresql+psycopg://puedo:${POSTGRES_PASSWORD") and url.endswith("@postgres:5432/puedo")
        assert service["depends_on"]["postgres"]["condition"] == "service_healthy"
        assert "bot-data:/data" in service["volumes"]


def test_every_data_file_the_core_reads_ships_in_the_package() -> None:
    # The image installs the package (pip install .): a file left out of package-data is missing
    # there, silently (the glossaries were, until session 65: the second opinion read no gloss).
    shipped = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["tool"]["setuptools"]
    patterns = shipped["package-data"]["bot"]
    data = [p.relative_to(ROOT / "bot") for p in (ROOT / "bot").rglob("*") if p.is_file()]
    data = [p for p in data if p.suffix not in {".py", ".pyc"} and "__pycache__" not in p.parts]
    assert data, "bot/ has no data files?"
    assert [str(p) for p in data if not any(p.match(pattern) for pattern in patterns)] == []
