"""``report.json``, ``report.md`` and PNG charts for an evaluation run."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

from bot import Verdict
from evals.dataset import SPLITS
from evals.runner import DEFAULT_CONFIG, ConfigResult

METRIC_LABELS = {
    "hit@1": "hit@1",
    "hit@5": "hit@5",
    "mrr@10": "MRR@10",
    "ndcg@10": "nDCG@10",
    "citation_validity": "Citas válidas",
    "verdict_accuracy": "Acierto del veredicto",
    "dangerous_errors": "Errores peligrosos",
    "permissive_errors": "… permisivos (permitido donde no se puede)",
    "over_restrictive_errors": "… restrictivos (no permitido donde sí se puede)",
    "rule_hit": "Regla esperada entre las aplicadas",
    "law_source_hit": "Artículo esperado entre los 10 primeros",
    "abstention_precision": "Abstención: precisión",
    "abstention_recall": "Abstención: exhaustividad",
    "summary_chars_p50": "Resumen: caracteres, mediana",
    "summary_chars_p95": "Resumen: caracteres, p95",
    "summary_max_citations": "Resumen: máximo de citas",
    "summary_unresolved_citations": "Resumen: citas que no apuntan a ninguna fuente",
    "summary_unfinished": "Resumen: sin frase final completa",
    "latency_p50_ms": "Latencia p50 (ms)",
    "latency_p95_ms": "Latencia p95 (ms)",
}


def write_report(results: list[ConfigResult], directory: Path, *, datasets: list[str]) -> dict[str, Any]:
    directory.mkdir(parents=True, exist_ok=True)
    data = {
        "created_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "datasets": datasets,
        "splits": _splits(results),
        "configs": {r.name: {split: r.summary(split) for split in r.splits} for r in results},
        "cases": {r.name: [_case_json(c) for c in r.results] for r in results},
    }
    (directory / "report.json").write_text(json.dumps(data, ensure_ascii=False, indent=1), encoding="utf-8")
    charts = _charts(results, directory)
    (directory / "report.md").write_text(_markdown(results, datasets, charts), encoding="utf-8")
    return data


def _case_json(result: Any) -> dict[str, Any]:
    return {
        "id": result.case.id,
        "dataset": result.case.dataset,
        "split": result.case.split,
        "verdict": result.verdict.value if result.verdict else None,
        "verdict_ok": result.verdict_ok,
        "dangerous": result.dangerous,
        "rules": result.rules,
        "rule_hit": result.rule_hit,
        "law_hit": result.law_hit,
        "hit@5": result.hit5 if result.case.retrieval_specs else None,
        "latency_ms": round(result.latency_ms, 1),
        "top": [entry[0][1] if entry else "" for entry in result.retrieved[:5]],
        "error": result.error,
    }


def _fmt(value: Any) -> str:
    if value is None:
        return "—"
    if isinstance(value, float):
        return f"{value:.3f}" if value <= 1 else f"{value:.1f}"
    return str(value)


def _splits(results: list[ConfigResult]) -> list[str]:
    return [s for s in SPLITS if any(s in r.splits for r in results)]


SPLIT_TITLES = {
    "dev": "dev (se ajusta con él)",
    "test": "test (congelado, escrito de forma independiente; nunca se ajusta con él)",
}


def _markdown(results: list[ConfigResult], datasets: list[str], charts: list[str]) -> str:
    splits = _splits(results)
    lines = [
        "# Informe de evaluación de Puedo publicar",
        "",
        f"Conjuntos: {', '.join(datasets)} · {len(results[0].results)} casos · "
        f"{dt.datetime.now(dt.UTC):%Y-%m-%d %H:%M} UTC",
        "",
    ]
    for split in splits:
        summaries = [r.summary(split) for r in results if split in r.splits]
        lines += [
            f"## Resumen, conjunto {SPLIT_TITLES.get(split, split)}: {summaries[0]['cases']} casos",
            "",
            "| Métrica | " + " | ".join(s["config"] for s in summaries) + " |",
            "|---|" + "---:|" * len(summaries),
        ]
        for key, label in METRIC_LABELS.items():
            lines.append(f"| {label} | " + " | ".join(_fmt(s[key]) for s in summaries) + " |")
        lines.append("")
    lines += _conversation_lines(results, splits)
    lines += [*(f"- **{r.name}**: {r.description}" for r in results), ""]
    for chart in charts:
        lines += [f"![{chart}]({chart})", ""]
    main = next((r for r in results if r.name == DEFAULT_CONFIG), results[0])
    for split in splits:
        lines += _confusion_table(main.summary(split)["confusion"], f"{main.name}, {split}")
    per_dataset: dict[str, list[Any]] = {}
    for result in main.results:
        per_dataset.setdefault(f"{result.case.split}/{result.case.dataset}", []).append(result)
    lines += [
        f"## Por conjunto ({main.name})",
        "",
        "| Conjunto | Casos | hit@5 | Veredicto | Peligrosos (permisivos / restrictivos) | Regla esperada |",
        "|---|---:|---:|---:|---:|---:|",
    ]
    for name, items in sorted(per_dataset.items()):
        graded = [r for r in items if r.case.retrieval_specs]
        hit = sum(r.hit5 for r in graded) / len(graded) if graded else None
        acc = sum(bool(r.verdict_ok) for r in items) / len(items)
        ruled = [r.rule_hit for r in items if r.rule_hit is not None]
        rule = sum(ruled) / len(ruled) if ruled else None
        danger = f"{sum(r.dangerous for r in items)} ({sum(r.permissive for r in items)} / {sum(r.over_restrictive for r in items)})"
        lines.append(f"| {name} | {len(items)} | {_fmt(hit)} | {_fmt(acc)} | {danger} | {_fmt(rule)} |")
    failed = [r for r in main.results if r.failed and r.case.split != "test"]
    lines += [
        "",
        f"## Casos fallidos del conjunto dev ({main.name}): {len(failed)}",
        "",
        "Los del conjunto test no se listan: se miden, pero no se miran caso a caso para no ajustar con ellos.",
        "",
    ]
    if failed:
        lines += ["| id | Pregunta | Esperado | Obtenido | Reglas aplicadas |", "|---|---|---|---|---|"]
        for r in failed:
            expected = " / ".join(v.value for v in r.case.expect_verdict)
            wanted = "; ".join(sorted(r.case.rules)) or "; ".join(_spec(s) for s in r.case.expect_sources[:2])
            got = r.error or (r.verdict.value if r.verdict else "—")
            if r.permissive:
                got = f"**{got} (PELIGROSO: permisivo)**"
            elif r.over_restrictive:
                got = f"**{got} (PELIGROSO: restrictivo)**"
            if r.rule_hit is False:
                got += " · regla esperada no aplicada"
            if r.law_hit is False:
                got += " · artículo esperado fuera del top 10"
            question = _cell(r.case.question + (f" (borrador: {r.case.draft})" if r.case.draft else ""))
            applied = ", ".join(r.rules) or "—"
            lines.append(f"| {r.case.id} | {question} | {expected} · {_cell(wanted)} | {_cell(got)} | {applied} |")
    return "\n".join(lines) + "\n"


def _conversation_lines(results: list[ConfigResult], splits: list[str]) -> list[str]:
    """One line per configuration and split for the multi-turn cases (none if there are none)."""
    rows = [r.summary(split) for r in results if r.name != "naive" for split in splits if split in r.splits]
    rows = [s for s in rows if s.get("conversations")]
    if not rows:
        return []
    lines = [
        "## Conversaciones: preguntas de seguimiento",
        "",
        "Cada turno se responde con lo dicho en los anteriores; sus cifras no entran en las de arriba.",
        "",
        "| Configuración | Conjunto | Conversaciones | Turnos | Veredicto (todos los turnos) | "
        "Veredicto (seguimientos) | Conversaciones sin fallo | Peligrosos |",
        "|---|---|---:|---:|---:|---:|---:|---:|",
    ]
    for s in rows:
        lines.append(
            f"| {s['config']} | {s['split']} | {s['conversations']} | {s['conversation_turns']} | "
            f"{_fmt(s['conversation_verdict_accuracy'])} | {_fmt(s['conversation_follow_up_accuracy'])} | "
            f"{_fmt(s['conversation_all_turns_right'])} | {s['conversation_dangerous_errors']} |"
        )
    return [*lines, ""]


def _confusion_table(matrix: dict[str, dict[str, int]], title: str) -> list[str]:
    order = [v.value for v in Verdict]
    rows = [v for v in order if v in matrix]
    lines = [
        f"## Matriz de confusión del veredicto ({title})",
        "",
        "Filas: veredicto esperado (el primero del caso); columnas: el que dio el bot.",
        "",
        "| esperado \\ obtenido | " + " | ".join(order) + " |",
        "|---|" + "---:|" * len(order),
    ]
    for row in rows:
        lines.append(f"| {row} | " + " | ".join(str(matrix[row].get(col, 0)) for col in order) + " |")
    return [*lines, ""]


def _spec(spec: Any) -> str:
    parts = [
        spec.source_id or "",
        f"art. {spec.article}" if spec.article else "",
        spec.locator or "",
        spec.network or "",
    ]
    return " ".join(p for p in parts if p)


def _cell(text: str) -> str:
    return " ".join(text.replace("|", "\\|").split())[:300]


def _charts(results: list[ConfigResult], directory: Path) -> list[str]:
    try:
        import matplotlib
    except ImportError:
        raise ImportError(
            "Las gráficas del informe necesitan matplotlib: pip install 'puedo-publicar[evals]'"
        ) from None

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    summaries = [r.summary("dev" if "dev" in r.splits else None) for r in results]
    names = [s["config"] for s in summaries]
    charts = []

    keys = ["hit@1", "hit@5", "mrr@10", "ndcg@10"]
    fig, ax = plt.subplots(figsize=(9, 4.5))
    width = 0.8 / max(1, len(summaries))
    for i, summary in enumerate(summaries):
        values = [summary[k] or 0 for k in keys]
        bars = ax.bar([x + i * width for x in range(len(keys))], values, width, label=summary["config"])
        ax.bar_label(bars, fmt="%.2f", fontsize=7)
    ax.set_xticks([x + width * (len(summaries) - 1) / 2 for x in range(len(keys))], [METRIC_LABELS[k] for k in keys])
    ax.set_ylim(0, 1.05)
    ax.set_title("Recuperación por configuración")
    ax.legend()
    fig.tight_layout()
    fig.savefig(directory / "recuperacion.png", dpi=110)
    plt.close(fig)
    charts.append("recuperacion.png")

    answering = [s for s in summaries if s["verdict_accuracy"] is not None and s["config"] != "naive"]
    if answering:
        fig, ax = plt.subplots(figsize=(7, 4))
        ax.bar([s["config"] for s in answering], [s["verdict_accuracy"] for s in answering], color="#4c72b0")
        for i, s in enumerate(answering):
            ax.text(
                i,
                s["verdict_accuracy"] + 0.01,
                f"{s['verdict_accuracy']:.2f} · {s['dangerous_errors']} peligrosos",
                ha="center",
                fontsize=8,
            )
        ax.set_ylim(0, 1.1)
        ax.set_title("Acierto del veredicto (y errores peligrosos)")
        fig.tight_layout()
        fig.savefig(directory / "veredictos.png", dpi=110)
        plt.close(fig)
        charts.append("veredictos.png")

    fig, ax = plt.subplots(figsize=(7, 4))
    p50 = [s["latency_p50_ms"] or 0 for s in summaries]
    p95 = [s["latency_p95_ms"] or 0 for s in summaries]
    ax.bar([x - 0.2 for x in range(len(names))], p50, 0.4, label="p50")
    ax.bar([x + 0.2 for x in range(len(names))], p95, 0.4, label="p95")
    ax.set_xticks(range(len(names)), names)
    ax.set_ylabel("ms por pregunta")
    ax.set_title("Latencia")
    ax.legend()
    fig.tight_layout()
    fig.savefig(directory / "latencia.png", dpi=110)
    plt.close(fig)
    charts.append("latencia.png")
    return charts
