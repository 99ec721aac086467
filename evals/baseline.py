"""The "naive LangChain RAG" baseline: what a user gets by following a tutorial.

Same texts as the project (every indexed document, in order), split with
``RecursiveCharacterTextSplitter(chunk_size=1000, chunk_overlap=200)``, embedded with the same
model into a Chroma collection, top-4 similarity search. No glossary, no lexical retrieval, no
rule bridge, no verdict. Each baseline chunk is credited with every article, rule or section it
overlaps, so the comparison is generous to the baseline.
"""

from __future__ import annotations

import time

import chromadb
from chromadb.config import Settings as ChromaSettings
from langchain_chroma import Chroma
from langchain_core.documents import Document
from langchain_text_splitters import RecursiveCharacterTextSplitter

from bot import Settings
from bot.chunking import chunk_document
from bot.documents import load_all
from bot.embeddings import get_embeddings
from evals.metrics import Item

CHUNK_SIZE = 1000
CHUNK_OVERLAP = 200
TOP_K = 4


class NaiveRAG:
    """Builds the baseline index in memory; :meth:`search` returns ranked entries."""

    def __init__(self, settings: Settings) -> None:
        started = time.perf_counter()
        splitter = RecursiveCharacterTextSplitter(
            chunk_size=CHUNK_SIZE, chunk_overlap=CHUNK_OVERLAP, add_start_index=True
        )
        documents: list[Document] = []
        for doc in load_all(settings).documents:
            chunks, _ = chunk_document(doc)
            text, spans = "", []
            for chunk in chunks:
                start = len(text)
                text += chunk.text + "\n\n"
                spans.append((start, len(text), chunk.locator))
            for piece in splitter.create_documents([text]):
                begin = int(piece.metadata["start_index"])
                end = begin + len(piece.page_content)
                locators = [loc for s, e, loc in spans if s < end and begin < e]
                piece.metadata = {
                    "source_id": doc.source_id,
                    "network": doc.network or "",
                    "locators": "\n".join(dict.fromkeys(locators)),
                }
                documents.append(piece)
        client = chromadb.EphemeralClient(settings=ChromaSettings(anonymized_telemetry=False))
        name = f"naive_{int(time.time() * 1000)}"
        self.store = Chroma.from_documents(
            documents, get_embeddings(settings.embedding_model), client=client, collection_name=name
        )
        self.chunks = len(documents)
        self.build_seconds = time.perf_counter() - started

    def search(self, question: str) -> list[list[Item]]:
        results = self.store.similarity_search(question, k=TOP_K)
        return [
            [
                (d.metadata["source_id"], loc, d.metadata["network"] or None)
                for loc in d.metadata["locators"].split("\n")
            ]
            for d in results
        ]
