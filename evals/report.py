"""``report.json``, ``report.md`` and PNG charts for an evaluation run."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

from evals.runner import DEFAULT_CONFIG, ConfigResult

METRIC_LABELS = {
    "hit@1": "hit@1",
    "hit@5": "hit@5",
    "mrr@10": "MRR@10",
    "ndcg@10": "nDCG@10",
    "citation_validity": "Citas válidas",
    "verdict_accuracy": "Acierto del veredicto",
    "dangerous_errors": "Errores peligrosos",
    "abstention_precision": "Abstención: precisión",
    "abstention_recall": "Abstención: exhaustividad",
    "latency_p50_ms": "Latencia p50 (ms)",
    "latency_p95_ms": "Latencia p95 (ms)",
}


def write_report(results: list[ConfigResult], directory: Path, *, datasets: list[str]) -> dict[str, Any]:
    directory.mkdir(parents=True, exist_ok=True)
    data = {
        "created_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "datasets": datasets,
        "configs": {r.name: r.summary() for r in results},
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
        "verdict": result.verdict.value if result.verdict else None,
        "verdict_ok": result.verdict_ok,
        "dangerous": result.dangerous,
        "hit@5": result.hit5 if result.case.expect_sources else None,
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


def _markdown(results: list[ConfigResult], datasets: list[str], charts: list[str]) -> str:
    summaries = [r.summary() for r in results]
    lines = [
        "# Informe de evaluación de Puedo publicar",
        "",
        f"Conjuntos: {', '.join(datasets)} · {summaries[0]['cases']} casos · "
        f"{dt.datetime.now(dt.UTC):%Y-%m-%d %H:%M} UTC",
        "",
        "## Resumen por configuración",
        "",
        "| Métrica | " + " | ".join(s["config"] for s in summaries) + " |",
        "|---|" + "---:|" * len(summaries),
    ]
    for key, label in METRIC_LABELS.items():
        lines.append(f"| {label} | " + " | ".join(_fmt(s[key]) for s in summaries) + " |")
    lines += ["", *(f"- **{s['config']}**: {s['description']}" for s in summaries), ""]
    for chart in charts:
        lines += [f"![{chart}]({chart})", ""]
    main = next((r for r in results if r.name == DEFAULT_CONFIG), results[0])
    per_dataset: dict[str, list[Any]] = {}
    for result in main.results:
        per_dataset.setdefault(result.case.dataset, []).append(result)
    lines += [
        f"## Por conjunto ({main.name})",
        "",
        "| Conjunto | Casos | hit@5 | Veredicto | Peligrosos |",
        "|---|---:|---:|---:|---:|",
    ]
    for name, items in sorted(per_dataset.items()):
        graded = [r for r in items if r.case.expect_sources]
        hit = sum(r.hit5 for r in graded) / len(graded) if graded else None
        acc = sum(bool(r.verdict_ok) for r in items) / len(items)
        lines.append(f"| {name} | {len(items)} | {_fmt(hit)} | {_fmt(acc)} | {sum(r.dangerous for r in items)} |")
    failed = [r for r in main.results if r.failed]
    lines += ["", f"## Casos fallidos ({main.name}): {len(failed)}", ""]
    if failed:
        lines += ["| id | Pregunta | Esperado | Obtenido | Primeras citas |", "|---|---|---|---|---|"]
        for r in failed:
            expected = " / ".join(v.value for v in r.case.expect_verdict)
            sources = "; ".join(_spec(s) for s in r.case.expect_sources[:3])
            got = r.error or (r.verdict.value if r.verdict else "—")
            if r.dangerous:
                got = f"**{got} (PELIGROSO)**"
            if r.case.expect_sources and not r.hit5:
                got += " · fuente esperada no recuperada en top 5"
            top = "; ".join(f"[{c['n']}] {c['source_id']} {c['locator']}" for c in r.citations[:3]) or "—"
            question = _cell(r.case.question + (f" (borrador: {r.case.draft})" if r.case.draft else ""))
            lines.append(f"| {r.case.id} | {question} | {expected} · {_cell(sources)} | {_cell(got)} | {_cell(top)} |")
    return "\n".join(lines) + "\n"


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
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    summaries = [r.summary() for r in results]
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
