"""The command line: ``python -m bot ask|chat|index|sources|feedback|bench``."""

from __future__ import annotations

import argparse
import json
import logging
import math
import sys
import textwrap
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

from bot import __version__
from bot.errors import UnavailableError
from bot.models import Answer, Context
from bot.settings import Settings

EXAMPLE = "¿Puedo publicar en Instagram una foto de los vecinos que atendí hoy?"
#: Printed under a summary: how to see the fundamentos.
DETAIL_HINT = "(Los fundamentos, con todas las reglas y fuentes: --detalle; en «chat», /detalle.)"


def render_text(answer: Answer, width: int = 100, *, detail: bool = False) -> str:
    """A readable terminal rendering: the verdict, the summary and the sources it cites; with
    ``detail``, the fundamentos and every source too; its own words in the answer's language."""
    from bot.templates import templates

    t = templates(answer.language)
    out = [f"{answer.verdict.emoji}  {answer.verdict.label_in(answer.language).upper()}  ({answer.verdict.value})", ""]
    body = answer.answer.partition("\n")[2] if detail else answer.summary_body
    for line in body.split("\n"):
        indent = "  " if line.startswith("- ") else ""
        out.append(textwrap.fill(line, width, subsequent_indent=indent + "  ") if line else "")
    citations = answer.citations if detail else answer.summary_sources
    if citations:
        out += ["", t("cli.sources")]
        for c in citations:
            version = t("cli.version", version=c.version) if c.version else ""
            out.append(f"  [{c.n}] {c.title} — {c.locator}{version}")
            if c.url:
                out.append(f"      {c.url}")
            out.append(textwrap.fill(f"«{c.quote}»", width, initial_indent="      ", subsequent_indent="       "))
    if not detail and answer.answer != answer.summary:
        out += ["", t("cli.detail_hint")]
    return "\n".join(out)


def _progress(items: Iterable[Any], total: int, label: str) -> Iterable[Any]:
    from tqdm import tqdm

    return tqdm(items, total=total, desc=label, unit="lote", disable=not sys.stderr.isatty() or total < 2)


def _notify(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def _service(settings: Settings) -> Any:
    from bot.service import Service

    return Service(settings, notify=_notify)


# --------------------------------------------------------------------------- commands


def cmd_ask(args: argparse.Namespace, settings: Settings) -> int:
    from bot.service import QuestionError

    service = _service(settings)
    if args.jsonl:
        return _ask_jsonl(service)
    draft = args.draft
    if args.draft_file:
        try:
            draft = Path(args.draft_file).read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            print(f"No se puede leer el borrador {args.draft_file}: {exc}", file=sys.stderr)
            return 2
    try:
        images = _read_images(args.image or [])
    except ValueError as exc:
        print(f"No se puede leer {exc}", file=sys.stderr)
        return 2
    if not args.question and not draft and not images:
        print('Falta la pregunta: python -m bot ask "¿Puedo publicar...?"', file=sys.stderr)
        return 2
    try:
        answer = service.ask(args.question or "", draft, images=images)
    except QuestionError as exc:
        print(str(exc), file=sys.stderr)
        return 2
    if args.json:
        print(json.dumps(answer.to_json_dict(), ensure_ascii=False))
    else:
        print(render_text(answer, detail=args.detalle))
    return 0


def _ask_jsonl(service: Any) -> int:
    """One JSON object per input line, in order; a bad line gets ``{"id", "error"}`` and the
    batch goes on (never a crash, never a lost line). Lines with the same ``"conversation"``
    value are turns of one conversation, in order (each read as a follow-up of the earlier ones)."""
    status = 0
    contexts: dict[str, Context] = {}
    for number, raw in enumerate(sys.stdin.buffer, 1):
        if not raw.strip():
            continue
        out = _jsonl_answer(service, raw, number, contexts)
        if "error" in out:
            status = 1
        print(json.dumps(out, ensure_ascii=False, allow_nan=False), flush=True)
    return status


def _jsonl_answer(service: Any, raw: bytes, number: int, contexts: dict[str, Context]) -> dict[str, Any]:
    from bot.service import QuestionError

    record_id: Any = None
    try:
        try:
            line = raw.decode("utf-8")
        except UnicodeDecodeError:
            raise ValueError("no está en UTF-8") from None
        try:
            record = json.loads(line)
        except RecursionError:
            raise ValueError("JSON demasiado anidado") from None
        except json.JSONDecodeError as exc:
            raise ValueError(f"JSON no válido ({exc.msg})") from None
        if not isinstance(record, dict):
            raise ValueError(f"cada línea debe ser un objeto JSON, no {_json_kind(record)}")
        record_id = _safe_id(record.get("id"))
        question, draft = record.get("question"), record.get("draft")
        for name, value in (("question", question), ("draft", draft)):
            if value is not None and not isinstance(value, str):
                raise ValueError(f"«{name}» debe ser un texto, no {_json_kind(value)}")
            if isinstance(value, str):
                try:
                    value.encode("utf-8")
                except UnicodeEncodeError:
                    raise ValueError(f"«{name}» tiene caracteres no válidos (sustitutos sueltos)") from None
        paths = record.get("images") or []
        if not isinstance(paths, list) or not all(isinstance(p, str) for p in paths):
            raise ValueError("«images» debe ser una lista de rutas de fichero")
        try:
            images = _read_images(paths)
        except ValueError as exc:
            raise ValueError(f"no se puede leer {exc}") from None
        conversation = record.get("conversation")
        if conversation is not None and (isinstance(conversation, bool) or not isinstance(conversation, str | int)):
            raise ValueError(f"«conversation» debe ser un texto o un número, no {_json_kind(conversation)}")
        key = None if conversation is None else str(conversation)
        context = contexts.get(key) if key is not None else None
        answer = service.ask(question or "", draft, images=images, context=context)
        if key is not None:
            contexts[key] = answer.context
        return {"id": record_id, **answer.to_json_dict()}
    except (ValueError, QuestionError) as exc:
        return {"id": record_id, "error": f"línea {number}: {exc}"}


def _read_images(paths: Iterable[str]) -> list[bytes]:
    """The bytes of each image file; ValueError «la imagen RUTA (why)» for one that cannot be read."""
    images = []
    for path in paths:
        try:
            images.append(Path(path).read_bytes())
        except OSError as exc:
            raise ValueError(f"la imagen {path} ({exc.strerror or exc})") from None
    return images


def _json_kind(value: Any) -> str:
    kinds = {list: "una lista", str: "un texto", bool: "un booleano", int: "un número", float: "un número"}
    return "null" if value is None else kinds.get(type(value), type(value).__name__)


def _safe_id(value: Any) -> Any:
    """The ``id`` as given when JSON can carry it back; otherwise as text (``NaN`` → ``"NaN"``)."""
    if value is None or isinstance(value, str | bool | int):
        return value
    if isinstance(value, float) and math.isfinite(value):
        return value
    return json.dumps(value, ensure_ascii=False, allow_nan=True)


def cmd_chat(args: argparse.Namespace, settings: Settings) -> int:
    from bot.conversation import follows_up, is_reset
    from bot.service import QuestionError

    service = _service(settings)
    print("Puedo publicar — pregúntame si puedes publicar algo en redes sociales.")
    print(
        "Escribe la pregunta y pulsa Intro. «/borrador» para pegar el texto del post; «/detalle» para ver "
        "los fundamentos de la última respuesta; «/nuevo» para empezar otra conversación; «/salir» para terminar.\n"
        "Una pregunta que sigue a la anterior («¿Y si…?», «¿y en LinkedIn?») se lee con lo que ya me has contado.\n"
    )
    draft: str | None = None
    last: Answer | None = None
    while True:
        try:
            question = input("¿Qué quieres publicar? › ").strip()
        except (EOFError, KeyboardInterrupt):
            print()
            return 0
        if question in {"/salir", "/exit", "/quit", "salir"}:
            return 0
        if question == "/borrador":
            print("Pega el borrador y termina con una línea vacía:")
            lines = []
            while (line := _read_line()) not in (None, ""):
                lines.append(line)
            draft = "\n".join(lines) or None
            print("Borrador guardado: se usará con la próxima pregunta.\n")
            continue
        if question in {"/detalle", "/fundamentos"}:
            print("\n" + render_text(last, detail=True) + "\n" if last else "Todavía no has preguntado nada.\n")
            continue
        if is_reset(question):
            last = None
            print("Empezamos de cero: la próxima pregunta no tiene en cuenta las anteriores.\n")
            continue
        if not question:
            continue
        context = last.context if last is not None and follows_up(question) and draft is None else None
        try:
            last = service.ask(question, draft, context=context)
            if context is not None:
                print("(Sigo con lo que me has contado antes; «/nuevo» para empezar de cero.)")
            print("\n" + render_text(last) + "\n")
        except QuestionError as exc:
            print(exc)
        draft = None


def _read_line() -> str | None:
    try:
        return input()
    except EOFError:
        return None


#: How a problem's level reads for the people who edit knowledge/.
_LEVELS = {"error": "error", "warning": "aviso"}


def cmd_index(args: argparse.Namespace, settings: Settings) -> int:
    from bot.index import Indexer, check

    if args.check:
        problems = check(settings)
        errors = [p for p in problems if p.level == "error"]
        by_file: dict[str, list[str]] = {}
        for p in problems:
            by_file.setdefault(p.file, []).append(f"[{_LEVELS[p.level]}] {p.message}")
        for file, messages in sorted(by_file.items()):
            print(file)
            for message in messages:
                print(f"  {message}")
        print(f"\n{len(errors)} errores y {len(problems) - len(errors)} avisos." if problems else "Todo correcto.")
        return 1 if errors else 0
    report = Indexer(settings).update(rebuild=args.rebuild, progress=_progress)
    for p in report.problems:
        print(f"{'ERROR' if p.level == 'error' else 'aviso'}: {p}", file=sys.stderr)
    if report.unchanged:
        print("El índice ya estaba al día: ningún fichero ha cambiado.")
        return 1 if report.has_errors else 0
    print(
        f"Índice generación {report.generation}: {report.chunks} fragmentos "
        f"({report.embedded} calculados, {report.reused} reutilizados) en {report.seconds:.1f} s"
        + ("." if report.full else "; solo se han escrito los ficheros cambiados.")
    )
    for file in report.changed:
        print(f"  actualizado: {file}")
    for file in report.removed:
        print(f"  retirado:    {file}")
    for file in report.kept_after_error:
        print(f"  con errores, se mantiene la versión anterior: {file}")
    for file in report.skipped_after_error:
        print(f"  con errores, no se indexa hasta que se corrija: {file}")
    if report.has_errors:
        print("Hay ficheros con errores (arriba): corrígelos; el resto del índice está al día.", file=sys.stderr)
        return 1
    return 0


def cmd_sources(args: argparse.Namespace, settings: Settings) -> int:
    from bot.sources.cli import run

    return run(args, settings)


def cmd_feedback(args: argparse.Namespace, settings: Settings) -> int:
    from bot.feedback import FeedbackError, feedback_store

    store = feedback_store(settings)
    if args.feedback_command == "purge":
        days = settings.feedback_retention_days if args.days is None else args.days
        try:
            gone = store.purge(days)
        except FeedbackError as exc:
            print(f"Error: {exc}", file=sys.stderr)
            return 2
        print(f"{gone} respuestas de hace más de {days} días borradas, con sus votos.", file=sys.stderr)
        return 0
    if args.output:
        with open(args.output, "w", encoding="utf-8", newline="") as out:
            count = store.export(out, args.format)
    else:
        count = store.export(sys.stdout, args.format)
    print(f"{count} votos exportados.", file=sys.stderr)
    return 0


def cmd_db(args: argparse.Namespace, settings: Settings) -> int:
    from bot.database import run_cli

    return run_cli(args.db_command, settings)


def cmd_bench(args: argparse.Namespace, settings: Settings) -> int:
    from bot.bench import run

    return run(args, settings)


# --------------------------------------------------------------------------- parser


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m bot",
        description="Puedo publicar: ¿puedo publicar esto en redes sociales? Respuestas citadas del EBEP, "
        "la guía interna y las condiciones de uso de las redes.",
    )
    parser.add_argument("-v", "--verbose", action="store_true", help="mensajes de diagnóstico")
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    sub = parser.add_subparsers(dest="command", required=True)

    ask = sub.add_parser("ask", help="responder una pregunta", description=f'Ejemplo: python -m bot ask "{EXAMPLE}"')
    ask.add_argument("question", nargs="?", help="la pregunta, entre comillas")
    ask.add_argument("--draft", help="el texto que quieres publicar")
    ask.add_argument("--draft-file", help="fichero con el texto que quieres publicar")
    out = ask.add_mutually_exclusive_group()
    out.add_argument("--json", action="store_true", help="un objeto JSON (contrato en el README)")
    out.add_argument(
        "--jsonl", action="store_true", help="lee líneas JSON {id, question, draft} de la entrada estándar"
    )
    ask.add_argument(
        "--image",
        action="append",
        metavar="FICHERO",
        help="una foto que quieres publicar (repetible): se lee su texto y se buscan caras, sin guardarla",
    )
    ask.add_argument(
        "--detalle",
        "--fundamentos",
        action="store_true",
        help="muestra también los fundamentos: todas las reglas, los hallazgos y las fuentes con sus citas",
    )
    ask.set_defaults(func=cmd_ask)

    chat = sub.add_parser("chat", help="conversación en el terminal")
    chat.set_defaults(func=cmd_chat)

    index = sub.add_parser("index", help="indexar knowledge/ y las fuentes sincronizadas")
    index.add_argument("--rebuild", action="store_true", help="reconstruir todo en un índice nuevo")
    index.add_argument(
        "--check", action="store_true", help="validar los ficheros sin indexar (sale con 1 si hay errores)"
    )
    index.set_defaults(func=cmd_index)

    sources = sub.add_parser("sources", help="fuentes oficiales: BOE y condiciones de uso")
    ssub = sources.add_subparsers(dest="sources_command", required=True)
    sync = ssub.add_parser("sync", help="traer las fuentes oficiales a BOT_DATA_DIR/sources")
    sync.add_argument("--from", dest="mirror", type=Path, help="carpeta espejo local en vez de la red")
    sync.add_argument(
        "--index",
        action=argparse.BooleanOptionalAction,
        default=True,
        help="reindexar si algo cambió (por defecto; --no-index para no hacerlo)",
    )
    sync.add_argument("--only", action="append", help="solo esta fuente (repetible)")
    sync.add_argument("--timeout", type=float, help="segundos de espera por petición")
    status = ssub.add_parser("status", help="estado de cada fuente")
    status.add_argument("--json", action="store_true")
    status.add_argument(
        "--check",
        action="store_true",
        help="sale con 1 si alguna fuente tiene error o lleva más de BOT_SOURCES_MAX_AGE_DAYS días sin comprobarse",
    )
    sources.set_defaults(func=cmd_sources)

    feedback = sub.add_parser("feedback", help="votos de los usuarios")
    fsub = feedback.add_subparsers(dest="feedback_command", required=True)
    export = fsub.add_parser("export", help="exportar los votos")
    export.add_argument("--format", choices=["csv", "jsonl"], default="csv")
    export.add_argument("--output", "-o", help="fichero de salida (por defecto, la salida estándar)")
    purge = fsub.add_parser("purge", help="borrar lo que supera el plazo de conservación")
    purge.add_argument("--days", type=int, help="días que se conservan (por defecto BOT_FEEDBACK_RETENTION_DAYS, 90)")
    feedback.set_defaults(func=cmd_feedback)

    db = sub.add_parser("db", help="la base de datos de votos, entregas y estado (BOT_DATABASE_URL)")
    dsub = db.add_subparsers(dest="db_command", required=True)
    dsub.add_parser("upgrade", help="aplicar las migraciones pendientes (también se aplican al arrancar)")
    dsub.add_parser("current", help="la versión del esquema de cada base")
    db.set_defaults(func=cmd_db)

    bench = sub.add_parser("bench", help="medir latencia, indexación y memoria")
    bench.add_argument("--questions", type=int, default=60)
    bench.add_argument("--photos", type=int, default=30, help="preguntas con una foto (extra [ocr])")
    bench.add_argument(
        "--from", dest="mirror", type=Path, help="espejo del BOE (por defecto ../shared/corpus si existe)"
    )
    capacity = bench.add_argument_group("capacidad (--capacity)")
    capacity.add_argument(
        "--capacity",
        action="store_true",
        help="hacer crecer el índice y medir latencia, memoria y preguntas por segundo contra un servidor Chroma",
    )
    capacity.add_argument(
        "--sizes", help="fragmentos del índice: real, N o +N (reales más N sintéticos); por defecto real,15000,50000"
    )
    capacity.add_argument("--workers", help="procesos que responden a la vez, por ejemplo 1,2 (por defecto)")
    capacity.add_argument(
        "--cache-dir", type=Path, help="caché del índice real (por defecto en el directorio temporal)"
    )
    capacity.add_argument("--json", action="store_true", help="un objeto JSON en la salida estándar")
    bench.set_defaults(func=cmd_bench)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    from bot import logs

    logs.setup_logging(
        level=logging.INFO if args.verbose else logging.WARNING, fmt="%(levelname)s %(name)s: %(message)s"
    )
    logs.quiet_model_libraries()
    settings = logs.load_settings_for_entry_point()
    if settings is None:
        return 2
    try:
        return int(args.func(args, settings))
    except KeyboardInterrupt:
        print("\nInterrumpido.", file=sys.stderr)
        return 130
    except UnavailableError as exc:  # the model, the index, Chroma: the message says what to run
        print(f"Error: {exc}", file=sys.stderr)
        return 1
