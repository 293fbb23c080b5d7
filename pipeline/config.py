"""Settings: defaults, then the TOML file, then a named preset, then FACTCHECK_* environment overrides."""

from __future__ import annotations

import os
import tomllib
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, Field, SecretStr, ValidationError

from pipeline.errors import ConfigError, register_secret

REPO_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_CONFIG_FILE = REPO_ROOT / "factcheck.toml"
ENV_PREFIX = "FACTCHECK_"


def shared_dir() -> Path:
    """The read-only folder of evaluation data and samples beside the repository (../shared).

    A clone placed elsewhere finds it through FACTCHECK_SHARED_DIR, or at /work/shared on our machines.
    """
    override = os.environ.get("FACTCHECK_SHARED_DIR")
    candidates = [Path(override)] if override else [REPO_ROOT.parent / "shared", Path("/work/shared")]
    return next((c for c in candidates if c.is_dir()), candidates[0])
OutputMode = Literal["json_schema", "json_mode", "prompt"]


class LLMSettings(BaseModel):
    """Which model answers the prompts; provider "auto" picks offline, OpenAI or a local server."""

    provider: str = "auto"
    preset: str = ""
    model: str = ""
    base_url: str = ""
    api_key: SecretStr | None = None
    output_mode: OutputMode = "json_schema"
    temperature: float = 0.0
    timeout_seconds: float = 60.0
    max_retries: int = 2
    max_output_tokens: int = 2048


class EmbeddingSettings(BaseModel):
    """Which embedding turns passages into vectors; "minilm" runs offline from a PyPI-shipped model."""

    provider: Literal["minilm", "openai", "openai_compatible"] = "minilm"
    model: str = ""
    base_url: str = ""
    api_key: SecretStr | None = None
    model_path: str = ""
    model_sha256: str = "8199be6f699a395f99f89df973f9dc5285fbcfcdb2ae1a4e1201dab014f3d2a6"
    tokenizer_path: str = ""
    tokenizer_sha256: str = "be50c3628f2bf5bb5e3a7f17b1f74611b2561a3a27eeab05e5aa30f411572037"
    batch_size: int = 16
    threads: int = 0


class VectorStoreSettings(BaseModel):
    """Where Chroma lives: embedded under the data dir, or a `chroma run` server."""

    mode: Literal["embedded", "http"] = "embedded"
    host: str = "127.0.0.1"
    port: int = 8000
    collection: str = "passages"


class RetrievalSettings(BaseModel):
    """How many passages each claim gets and how they are ranked."""

    k: int = 5
    mode: Literal["hybrid", "dense", "bm25"] = "hybrid"
    candidates: int = 50
    # How hybrid mode fuses dense and BM25: "score" = dense_weight × cosine + (1 − dense_weight) × BM25 / best
    # BM25 (tuned on half of Climate-FEVER, see BENCHMARKS.md), or "rrf" = reciprocal rank fusion with rrf_k.
    fusion: Literal["score", "rrf"] = "score"
    dense_weight: float = Field(default=0.8, ge=0.0, le=1.0)
    rrf_k: int = 60
    contextual_header: bool = True


class ClaimSettings(BaseModel):
    """Claim extraction limits."""

    min_checkworthiness: float = 0.5
    max_claims: int = 40
    window_chars: int = 6000
    window_overlap_chars: int = 800


class IngestSettings(BaseModel):
    """How reference articles are read and chunked."""

    chunk_chars: int = 700
    overlap_sentences: int = 1
    max_file_mb: float = 20.0


class RunSettings(BaseModel):
    """How a check run is executed."""

    concurrency: int = 8
    cache: bool = True


class ReviewSettings(BaseModel):
    """The house rating scale and who publishes the reports."""

    organisation: str = "Example Fact Desk"
    organisation_url: str = ""
    # Publishable ratings, truest first (ClaimReview ratingValue: first = len(scale), last = 1).
    rating_scale: list[str] = Field(default_factory=lambda: ["True", "Mostly true", "Half true",
                                                             "Mostly false", "False"])
    not_checkable: str = "Not checkable"
    low_confidence: float = 0.5


class Settings(BaseModel):
    """All settings; build with `load_settings()`."""

    data_dir: Path = REPO_ROOT / "data"
    llm: LLMSettings = Field(default_factory=LLMSettings)
    embedding: EmbeddingSettings = Field(default_factory=EmbeddingSettings)
    vectorstore: VectorStoreSettings = Field(default_factory=VectorStoreSettings)
    retrieval: RetrievalSettings = Field(default_factory=RetrievalSettings)
    claims: ClaimSettings = Field(default_factory=ClaimSettings)
    ingest: IngestSettings = Field(default_factory=IngestSettings)
    run: RunSettings = Field(default_factory=RunSettings)
    review: ReviewSettings = Field(default_factory=ReviewSettings)
    presets: dict[str, dict[str, Any]] = Field(default_factory=dict)

    @property
    def runs_dir(self) -> Path:
        """Directory of saved run documents."""
        return self.data_dir / "runs"

    @property
    def chroma_dir(self) -> Path:
        """Directory of the embedded Chroma database."""
        return self.data_dir / "chroma"

    @property
    def reviews_db(self) -> Path:
        """SQLite file of reviewer decisions and their audit trail."""
        return self.data_dir / "reviews.sqlite"

    @property
    def cache_dir(self) -> Path:
        """Directory of the LLM and embedding caches."""
        return self.data_dir / "cache"


def _env_overrides(environ: dict[str, str]) -> dict[str, Any]:
    """Turn FACTCHECK_A__B=value into {"a": {"b": value}}."""
    nested: dict[str, Any] = {}
    for key, value in environ.items():
        if not key.startswith(ENV_PREFIX) or key == ENV_PREFIX + "CONFIG":
            continue
        path = key[len(ENV_PREFIX):].lower().split("__")
        node = nested
        for part in path[:-1]:
            node = node.setdefault(part, {})
            if not isinstance(node, dict):
                raise ConfigError(f"Environment variable {key} conflicts with another override",
                                  "Remove one of the two variables")
        node[path[-1]] = value
    return nested


def _deep_merge(base: dict[str, Any], override: dict[str, Any]) -> dict[str, Any]:
    """Merge override into a copy of base, recursing into nested tables."""
    merged = dict(base)
    for key, value in override.items():
        if isinstance(value, dict) and isinstance(merged.get(key), dict):
            merged[key] = _deep_merge(merged[key], value)
        else:
            merged[key] = value
    return merged


def _read_toml(path: Path) -> dict[str, Any]:
    """Read a TOML config file, with a fix-it message when it is malformed."""
    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ConfigError(f"Config file {path} does not exist", "Fix FACTCHECK_CONFIG or create the file")
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"Config file {path} is not valid TOML ({exc})", "Fix the line it names")


def _apply_preset(data: dict[str, Any], env_llm: dict[str, Any]) -> dict[str, Any]:
    """Lay the chosen preset under the explicit llm settings."""
    llm = data.get("llm", {})
    name = env_llm.get("preset") or llm.get("preset") or ""
    if not name:
        return data
    presets = data.get("presets", {})
    if name not in presets:
        known = ", ".join(sorted(presets)) or "none"
        raise ConfigError(f"Unknown LLM preset '{name}'", f"Choose one of: {known}")
    defaults = LLMSettings().model_dump()
    explicit = {k: v for k, v in llm.items() if v != defaults.get(k, object())}
    return {**data, "llm": _deep_merge(presets[name], explicit)}


def load_settings(config_file: str | Path | None = None, environ: dict[str, str] | None = None,
                  **overrides: Any) -> Settings:
    """Load settings from the TOML file, the preset it (or the environment) names, and the environment."""
    environ = dict(os.environ if environ is None else environ)
    path = Path(config_file or environ.get(ENV_PREFIX + "CONFIG") or DEFAULT_CONFIG_FILE)
    file_data = _read_toml(path) if (config_file or path.exists()) else {}
    env_data = _env_overrides(environ)
    data = _apply_preset(file_data, env_data.get("llm", {}))
    data = _deep_merge(_deep_merge(data, env_data), overrides)
    if "data_dir" in data and not Path(data["data_dir"]).is_absolute():
        data["data_dir"] = str((path.parent if "data_dir" in file_data and "data_dir" not in env_data
                                else Path.cwd()) / data["data_dir"])
    try:
        settings = Settings.model_validate(data)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"])
        raise ConfigError(f"Setting '{where}' is invalid: {first['msg']}",
                          f"Fix it in {path.name} or the FACTCHECK_{where.upper().replace('.', '__')} variable")
    for secret in (settings.llm.api_key, settings.embedding.api_key):
        register_secret(secret.get_secret_value() if secret else None)
    register_secret(environ.get("OPENAI_API_KEY"))
    return settings


def resolve_api_key(llm: LLMSettings, environ: dict[str, str] | None = None) -> str | None:
    """Key in a fixed order: FACTCHECK_LLM__API_KEY / config file, then OPENAI_API_KEY."""
    environ = os.environ if environ is None else environ
    if llm.api_key and llm.api_key.get_secret_value():
        return llm.api_key.get_secret_value()
    return environ.get("OPENAI_API_KEY") or None


def resolve_provider(llm: LLMSettings, environ: dict[str, str] | None = None) -> str:
    """Pick the provider for "auto": a base URL means a local server, a key means OpenAI, else offline."""
    if llm.provider != "auto":
        return llm.provider
    if llm.base_url:
        return "openai_compatible"
    if resolve_api_key(llm, environ):
        return "openai"
    return "offline"
