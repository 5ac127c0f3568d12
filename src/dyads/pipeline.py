"""The pipeline: parse articles with spaCy, then run the named stages over each one.

    pipeline = Pipeline.from_config()                  # default stages, auto model
    for result in pipeline.pipe(read(["news/"]), batch_size=16, processes=2):
        if isinstance(result, ArticleError): ...      # bad input or a failed article
        else: result.events ...                        # a CodedArticle

``pipe`` streams: it holds one batch per worker in memory whatever the size of the input, and
yields results in input order.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Iterator, Mapping
from itertools import islice
from pathlib import Path
from typing import Any

from .config import Config
from .records import Article, ArticleError, CodedArticle, Document
from .registry import Stage, stage_factory
from .resources import Resources
from .stages.attribute_index import index_attribute_ruler
from .stages.parse import limit_sentence_tokens, load_model, model_description, text_for_parse

log = logging.getLogger(__name__)

Result = CodedArticle | ArticleError


def batched(items: Iterable[Any], size: int) -> Iterator[list[Any]]:
    iterator = iter(items)
    while batch := list(islice(iterator, size)):
        yield batch


class Pipeline:
    def __init__(self, config: Config | None = None, nlp: Any = None):
        self.config = config or Config.load()
        self.resources = Resources(self.config)
        self._nlp = nlp
        self._stages: list[tuple[str, Stage]] | None = None

    @classmethod
    def from_config(
        cls, path: str | Path | None = None, overrides: Mapping[str, Any] | None = None
    ) -> Pipeline:
        return cls(Config.load(path, overrides))

    # -- lazily built parts ---------------------------------------------------------------
    @property
    def nlp(self) -> Any:
        if self._nlp is None:
            section = self.config.section("nlp")
            self._nlp = load_model(section.get("model", "auto"))
            if section.get("index_attribute_ruler", True):
                index_attribute_ruler(self._nlp)
        return self._nlp

    @property
    def model_name(self) -> str:
        return model_description(self.nlp)

    @property
    def stages(self) -> list[tuple[str, Stage]]:
        if self._stages is None:
            built = []
            for name in self.config.stage_names:
                factory = stage_factory(name)
                section = self.config.section(f"stages.{name}")
                built.append((name, factory(self.resources, section)))
            self._stages = built
        return self._stages

    @property
    def batch_size(self) -> int:
        return int(self.config.section("nlp").get("batch_size", 16))

    # -- processing -------------------------------------------------------------------------
    def __call__(self, article: Article) -> CodedArticle:
        """Code one article; raises on failure (``pipe`` reports failures instead)."""
        (result,) = self.process_batch([article])
        if isinstance(result, ArticleError):
            raise RuntimeError(result.message())
        return result

    def run_stages(self, document: Document) -> Document:
        for name, stage in self.stages:
            try:
                document = stage(document)
            except Exception as err:
                err.add_note(f"in stage {name!r}")
                raise
        return document

    def process_batch(self, items: list[Article | ArticleError]) -> list[Result]:
        """Parse a batch with ``nlp.pipe`` and run the stages; errors pass through in place."""
        max_chars = int(self.config.section("nlp").get("max_chars", 100_000))
        articles = [a for a in items if isinstance(a, Article)]
        prepared = [text_for_parse(a, max_chars) for a in articles]
        _ = self.stages  # build stages (and fail loudly on config errors) before parsing
        try:
            docs = list(self.nlp.pipe([text for text, _ in prepared], batch_size=self.batch_size))
        except Exception:  # one bad text spoils nlp.pipe's batch: parse one by one instead
            log.exception("batch parse failed; retrying article by article")
            docs = []
            for text, _ in prepared:
                try:
                    docs.append(self.nlp(text))
                except Exception as err:
                    docs.append(err)
        coded: dict[int, Result] = {}
        for article, (_, truncated), doc in zip(articles, prepared, docs, strict=True):
            coded[id(article)] = self._code_one(article, doc, truncated)
        return [coded[id(item)] if isinstance(item, Article) else item for item in items]

    def _code_one(self, article: Article, doc: Any, truncated: bool) -> Result:
        if isinstance(doc, Exception):
            return ArticleError(article.origin, f"parse failed: {doc}", article.id, stage="parse")
        notes: tuple[str, ...] = ()
        if truncated:
            notes = (f"text cut to {len(doc.text):,} of {len(article.text):,} characters",)
        limit = int(self.config.section("nlp").get("max_sentence_tokens", 250))
        try:
            doc, split = limit_sentence_tokens(self.nlp, doc, limit)
        except Exception as err:
            return ArticleError(article.origin, f"parse failed: {err}", article.id, stage="parse")
        if split:
            notes += (
                f"{split} sentence(s) over {limit} tokens split into parts of at most {limit}",
            )
        try:
            document = self.run_stages(Document(article=article, doc=doc, notes=notes))
        except Exception as err:
            where = next((n for n in getattr(err, "__notes__", []) if n.startswith("in stage")), "")
            log.debug("article %s failed", article.id, exc_info=True)
            return ArticleError(
                article.origin,
                f"coding failed {where}: {type(err).__name__}: {err}".replace("  ", " "),
                article.id,
                stage=where.removeprefix("in stage ").strip("'") or "coding",
            )
        return document.coded()

    def pipe(
        self,
        items: Iterable[Article | ArticleError],
        batch_size: int | None = None,
        processes: int = 1,
    ) -> Iterator[Result]:
        """Code a stream of articles (errors from readers pass through), in input order."""
        size = batch_size or self.batch_size
        if processes <= 1:
            for batch in batched(items, size):
                yield from self.process_batch(batch)
            return
        from .scale.parallel import parallel_pipe

        yield from parallel_pipe(self.config, batched(items, size), processes)

    def info(self) -> dict[str, Any]:
        """Version, model and data counts (what ``dyads info`` prints)."""
        from . import __version__

        info: dict[str, Any] = {"dyads": __version__, "model": self.model_name}
        info["stages"] = self.config.stage_names
        ontology = self.resources.ontology
        info["ontology"] = ontology.counts()
        info["actors"] = self.resources.actors.counts()
        info["patterns"] = self.resources.patterns.counts()
        counts = getattr(self.resources.gazetteer, "counts", None)
        if counts is not None:
            info["gazetteer"] = counts()
        if "subcodes" in self.config.stage_names:
            from .learning.subcodes import SubcodeModel

            path = self.config.section("stages.subcodes").get("model_file") or None
            model = SubcodeModel.load(path)
            info["subcode_model"] = {"features": len(model.weights), **model.meta}
        return info


def code_text(text: str, date: str | None = None, pipeline: Pipeline | None = None) -> CodedArticle:
    """Convenience: code one text (``date`` as ``YYYY-MM-DD``)."""
    pipeline = pipeline or Pipeline()
    return pipeline(Article.from_text(text, date))
