"""The command line, in-process (model loaded once) and once as a real subprocess."""

from __future__ import annotations

import io
import json
import subprocess
import sys
from pathlib import Path

import pytest

from bot.cli import main

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture
def env(monkeypatch, indexed_settings):
    monkeypatch.setenv("BOT_DATA_DIR", str(indexed_settings.data_dir))
    monkeypatch.setenv("BOT_KNOWLEDGE_DIR", str(indexed_settings.knowledge_dir))
    monkeypatch.chdir(indexed_settings.data_dir.parent)  # no stray .env
    return indexed_settings


def test_ask_prints_a_readable_answer(env, capsys):
    assert main(["ask", "¿Puedo subir al insta una foto de los vecinos que atendí hoy?"]) == 0
    out = capsys.readouterr().out
    lines = out.splitlines()
    assert lines[0].startswith("⛔  NO LO PUBLIQUES")
    assert "Fuentes:" in out
    assert "[1] Guía de prueba sobre redes sociales — Regla 4 · versión 2099-02-01" in out
    assert "https://www.boe.es/buscar/act.php?id=BOE-A-2099-90001#a6" in out


def test_ask_json_with_draft_file(env, capsys, tmp_path):
    draft = tmp_path / "post.txt"
    draft.write_text("Gracias a todos. BORRADOR, no difundir.", encoding="utf-8")
    assert main(["ask", "¿Puedo publicar esto?", "--draft-file", str(draft), "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["verdict"] == "no_permitido"
    assert data["draft"] == "Gracias a todos. BORRADOR, no difundir."
    assert [f["kind"] for f in data["draft_findings"]] == ["confidencial", "confidencial"]


class _Stdin:
    """Standard input with raw bytes, as a pipe gives them."""

    def __init__(self, data: bytes) -> None:
        self.buffer = io.BytesIO(data)


def test_ask_jsonl_keeps_ids_and_survives_bad_lines(env, capsys, monkeypatch):
    lines = [
        json.dumps({"id": "a", "question": "¿Puedo retuitear la campaña oficial de vacunación?"}).encode(),
        b"esto no es json",
        json.dumps({"id": 7, "question": "¿Puedo publicar esto?", "draft": "Mi móvil: 612 345 678"}).encode(),
        json.dumps({"id": "vacía", "question": ""}).encode(),
        b"[1, 2]",
        b'"solo un texto"',
        b"42",
        b"null",
        json.dumps({"id": "n", "question": "¿Puedo?", "draft": 12345}).encode(),
        json.dumps({"id": "l", "question": "¿Puedo?", "draft": ["a"]}).encode(),
        b"[" * 100_000 + b"]" * 100_000,
        rb'{"id": "s", "question": "\ud800 suelto"}',  # a lone surrogate
        b'{"id": "u", "question": "\xff\xfe no es utf-8"}',
        rb'{"id": NaN, "question": "\u00bfPuedo retuitear la campa\u00f1a oficial de vacunaci\u00f3n?"}',
        json.dumps({"id": "fin", "question": "¿Puedo retuitear la campaña oficial de vacunación?"}).encode(),
    ]
    monkeypatch.setattr(sys, "stdin", _Stdin(b"\n".join(lines) + b"\n"))
    assert main(["ask", "--jsonl"]) == 1
    out = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert len(out) == len(lines)  # one object per line: nothing lost
    assert [o.get("id") for o in out] == [
        "a", None, 7, "vacía", None, None, None, None, "n", "l", None, "s", None, "NaN", "fin"
    ]  # fmt: skip
    assert out[0]["verdict"] == "permitido" and out[-1]["verdict"] == "permitido"
    assert "línea 2" in out[1]["error"]
    assert out[2]["verdict"] == "no_permitido"
    assert "vacía" in out[3]["error"]
    assert "una lista" in out[4]["error"] and "un texto" in out[5]["error"] and "null" in out[7]["error"]
    assert "«draft» debe ser un texto" in out[8]["error"] and "una lista" in out[9]["error"]
    assert "anidado" in out[10]["error"] or "JSON no válido" in out[10]["error"]
    assert "sustitutos" in out[11]["error"]
    assert "UTF-8" in out[12]["error"]
    assert out[13]["verdict"] == "permitido"


def test_chat_session(env, capsys, monkeypatch):
    monkeypatch.setattr(
        sys,
        "stdin",
        io.StringIO(
            "/detalle\n¿Puedo retuitear la campaña oficial de vacunación?\n/borrador\nMi DNI 12345678Z\n\n"
            "¿Y esto?\n/detalle\n/salir\n"
        ),
    )
    assert main(["chat"]) == 0
    out = capsys.readouterr().out
    assert "Todavía no has preguntado nada." in out
    assert "SÍ, PUEDES PUBLICARLO" in out
    # what was printed after each prompt: /detalle, a question, /borrador, «¿Y esto?», /detalle, /salir
    summary, detail = out.split("¿Qué quieres publicar? › ")[4:6]
    assert "DNI: «12345678Z»" not in summary  # the findings in context are in the fundamentos
    assert "DNI: «12345678Z»" in detail and "Fundamentos:" in detail


def test_index_check_exit_codes(env, capsys, tmp_path, monkeypatch):
    assert main(["index", "--check"]) == 0
    assert "Todo correcto." in capsys.readouterr().out
    knowledge = tmp_path / "k"
    (knowledge / "guias").mkdir(parents=True)
    (knowledge / "guias" / "rota.md").write_text("---\ntipo: memo\n---\nTexto\n", encoding="utf-8")
    (knowledge / "guias" / "buena.md").write_text("---\ntitle: Buena\n---\nTexto correcto.\n", encoding="utf-8")
    monkeypatch.setenv("BOT_KNOWLEDGE_DIR", str(knowledge))
    assert main(["index", "--check"]) == 1
    out = capsys.readouterr().out
    assert "knowledge/guias/rota.md\n  [error] tipo desconocido 'memo'" in out
    assert "buena.md" not in out


def test_index_check_names_a_repeated_phrase(env, capsys, tmp_path, monkeypatch):
    knowledge = tmp_path / "k"
    knowledge.mkdir()
    (knowledge / "senales.yaml").write_text(
        "regalo:\n  nombre: regalo\n  clase: contexto\n  frases:\n    es: [un regalo, me han regalado, un regalo]\n",
        encoding="utf-8",
    )
    monkeypatch.setenv("BOT_KNOWLEDGE_DIR", str(knowledge))
    assert main(["index", "--check"]) == 1
    out = capsys.readouterr().out
    assert "knowledge/senales.yaml" in out and "«un regalo» está repetida en «es»" in out


def test_wrong_setting_names_the_variable(env, capsys, monkeypatch):
    monkeypatch.setenv("BOT_TOP_K", "tres")
    assert main(["index", "--check"]) == 2
    assert "BOT_TOP_K" in capsys.readouterr().err


def test_module_entry_point(env):
    result = subprocess.run(
        [sys.executable, "-m", "bot", "ask", "--json", "¿Cuál es la capital de Australia?"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=180,
        env={
            "PATH": "/usr/bin:/bin",
            "BOT_DATA_DIR": str(env.data_dir),
            "BOT_KNOWLEDGE_DIR": str(env.knowledge_dir),
            "BOT_DOUBT_CASES_DIR": "",  # no second opinion to train (tests/test_doubt.py has it)
        },
    )
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["verdict"] == "sin_base"


def test_feedback_export_csv_and_jsonl(env, capsys, tmp_path, service):
    from bot.feedback import feedback_store

    store = feedback_store(env)
    answer = service.ask("¿Puedo retuitear la campaña oficial de vacunación?")
    ref = store.remember("slack", answer)
    store.vote(ref, "slack", "U123SECRET", "down")
    store.comment(ref, "slack", "U123SECRET", "Falta la regla de campañas electorales")
    assert main(["feedback", "export", "--format", "jsonl"]) == 0
    rows = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    mine = [r for r in rows if r["answer_ref"] == ref]
    assert mine[0]["vote"] == "down"
    assert mine[0]["verdict"] == "permitido"
    assert mine[0]["citations"][0]["locator"] == "Regla 1"
    assert "U123SECRET" not in json.dumps(rows)
    out = tmp_path / "votos.csv"
    assert main(["feedback", "export", "--format", "csv", "--output", str(out)]) == 0
    text = out.read_text(encoding="utf-8")
    assert text.startswith(
        "voted_at,platform,user_hash,vote,comment,question,draft,verdict,rules,citations,question_hash,answer_ref"
    )
    assert "Falta la regla de campañas electorales" in text
    assert "U123SECRET" not in env.feedback_db.read_bytes().decode("utf-8", errors="ignore")
    assert main(["feedback", "purge", "--days", "30"]) == 0
    assert "borradas" in capsys.readouterr().err


def test_feedback_comment_before_its_vote(tmp_path, service):
    import pytest

    from bot.feedback import FeedbackError, FeedbackStore

    store = FeedbackStore(tmp_path / "votos.sqlite3", salt="sal")
    ref = store.remember("slack", service.ask("¿Puedo retuitear la campaña oficial de vacunación?"))
    with pytest.raises(FeedbackError):
        store.comment(ref, "slack", "U1", "Sin voto todavía")  # plain comment needs a vote
    store.comment(ref, "slack", "U1", "Llega antes que el voto", vote="down")
    store.vote(ref, "slack", "U1", "down")  # the vote arriving afterwards keeps the comment
    [row] = store.rows()
    assert (row["vote"], row["comment"]) == ("down", "Llega antes que el voto")
    store.vote(ref, "slack", "U1", "up")
    assert store.rows()[0]["vote"] == "up"
    with pytest.raises(FeedbackError):
        store.comment("desconocida", "slack", "U1", "x", vote="down")


def test_console_scripts_and_version_come_from_one_place() -> None:
    import importlib
    import tomllib

    import bot

    project = tomllib.loads((Path(__file__).resolve().parents[1] / "pyproject.toml").read_text("utf-8"))
    assert project["project"]["dynamic"] == ["version"]
    assert project["tool"]["setuptools"]["dynamic"]["version"] == {"attr": "bot.__version__"}
    assert bot.__version__
    scripts = project["project"]["scripts"]
    assert set(scripts) == {"puedo-publicar", "puedo-publicar-slack", "puedo-publicar-telegram", "puedo-publicar-evals"}
    for target in scripts.values():
        module, _, name = target.partition(":")
        assert callable(getattr(importlib.import_module(module), name))
    # the core needs no chat library: those are extras
    core = " ".join(project["project"]["dependencies"])
    assert "slack" not in core and "telegram" not in core and "matplotlib" not in core


def test_version_flag(capsys: pytest.CaptureFixture[str]) -> None:
    import bot

    with pytest.raises(SystemExit) as exited:
        main(["--version"])
    assert exited.value.code == 0
    assert bot.__version__ in capsys.readouterr().out
