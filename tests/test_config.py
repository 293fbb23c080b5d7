"""Settings: TOML, presets, FACTCHECK_ environment overrides, provider and key resolution."""

import pytest

from pipeline.config import load_settings, resolve_api_key, resolve_provider
from pipeline.errors import ConfigError


def test_env_overrides_nest_with_double_underscore(tmp_path):
    s = load_settings(environ={"FACTCHECK_RETRIEVAL__K": "9", "FACTCHECK_LLM__MODEL": "m1",
                               "FACTCHECK_DATA_DIR": str(tmp_path)})
    assert s.retrieval.k == 9 and s.llm.model == "m1" and s.data_dir == tmp_path


def test_auto_provider_is_offline_without_key_or_server():
    s = load_settings(environ={})
    assert resolve_provider(s.llm, environ={}) == "offline"


def test_openai_key_from_environment_selects_openai():
    s = load_settings(environ={"OPENAI_API_KEY": "sk-test"})
    assert resolve_provider(s.llm, environ={"OPENAI_API_KEY": "sk-test"}) == "openai"
    assert resolve_api_key(s.llm, environ={"OPENAI_API_KEY": "sk-test"}) == "sk-test"


def test_factcheck_key_wins_over_openai_key():
    s = load_settings(environ={"FACTCHECK_LLM__API_KEY": "first"})
    assert resolve_api_key(s.llm, environ={"OPENAI_API_KEY": "second"}) == "first"


def test_base_url_selects_local_server():
    s = load_settings(environ={"FACTCHECK_LLM__BASE_URL": "http://127.0.0.1:9/v1"})
    assert resolve_provider(s.llm, environ={}) == "openai_compatible"


@pytest.mark.parametrize("preset,url", [("ollama", "http://localhost:11434/v1"),
                                        ("llamacpp", "http://localhost:8080/v1"),
                                        ("vllm", "http://localhost:8000/v1"),
                                        ("lmstudio", "http://localhost:1234/v1")])
def test_presets_fill_llm_settings_and_explicit_values_win(preset, url):
    s = load_settings(environ={"FACTCHECK_LLM__PRESET": preset})
    assert s.llm.base_url == url and s.llm.provider == "openai_compatible"
    s = load_settings(environ={"FACTCHECK_LLM__PRESET": preset, "FACTCHECK_LLM__MODEL": "mine"})
    assert s.llm.model == "mine" and s.llm.base_url == url


def test_openai_preset():
    s = load_settings(environ={"FACTCHECK_LLM__PRESET": "openai"})
    assert s.llm.provider == "openai" and s.llm.model == "gpt-4o-mini"


def test_unknown_preset_names_the_known_ones():
    with pytest.raises(ConfigError) as info:
        load_settings(environ={"FACTCHECK_LLM__PRESET": "nope"})
    assert "ollama" in info.value.user_message()


def test_invalid_value_names_the_variable_to_fix():
    with pytest.raises(ConfigError) as info:
        load_settings(environ={"FACTCHECK_RETRIEVAL__K": "many"})
    assert "FACTCHECK_RETRIEVAL__K" in info.value.user_message()


def test_malformed_toml_is_a_config_error(tmp_path):
    bad = tmp_path / "bad.toml"
    bad.write_text("[llm\nprovider = 1", encoding="utf-8")
    with pytest.raises(ConfigError):
        load_settings(bad, environ={})


def test_api_key_is_secret_in_dumps():
    s = load_settings(environ={"FACTCHECK_LLM__API_KEY": "sk-very-secret"})
    assert "sk-very-secret" not in s.model_dump_json() and "sk-very-secret" not in repr(s)


def every_preset() -> list[str]:
    return load_settings(environ={}).preset_names()


@pytest.mark.parametrize("preset", every_preset())
def test_every_preset_loads_and_an_explicit_value_beats_it(preset, tmp_path):
    chosen = load_settings(environ={"FACTCHECK_LLM__PRESET": preset})
    assert chosen.llm.provider != "auto"  # the preset set something
    explicit_default = tmp_path / "explicit.toml"
    explicit_default.write_text('[llm]\nprovider = "auto"\nmodel = ""\n', encoding="utf-8")
    # a value written in the file beats the preset even when it equals the built-in default
    from_file = load_settings(explicit_default, environ={"FACTCHECK_LLM__PRESET": preset})
    assert from_file.llm.provider == "auto" and from_file.llm.model == ""
    from_env = load_settings(environ={"FACTCHECK_LLM__PRESET": preset, "FACTCHECK_LLM__PROVIDER": "offline"})
    assert from_env.llm.provider == "offline" and from_env.llm.base_url == chosen.llm.base_url
    from_argument = load_settings(environ={"FACTCHECK_LLM__PRESET": preset}, llm={"model": "mine"})
    assert from_argument.llm.model == "mine" and from_argument.llm.provider == chosen.llm.provider


def test_a_preset_may_set_any_section_and_the_file_may_add_presets(tmp_path):
    config = tmp_path / "factcheck.toml"
    config.write_text('[presets.desk.llm]\nprovider = "openai_compatible"\nbase_url = "http://gpu:8000/v1"\n'
                      '[presets.desk.retrieval]\nk = 8\n[presets.flat]\nprovider = "openai"\n'
                      '[retrieval]\nmode = "dense"\n', encoding="utf-8")
    desk = load_settings(config, environ={"FACTCHECK_LLM__PRESET": "desk"})
    assert desk.retrieval.k == 8 and desk.retrieval.mode == "dense" and desk.llm.base_url == "http://gpu:8000/v1"
    assert load_settings(config, environ={"FACTCHECK_LLM__PRESET": "flat"}).llm.provider == "openai"
    assert {"desk", "flat", "ollama"} <= set(desk.preset_names())


def test_an_unknown_setting_in_the_file_is_named(tmp_path):
    config = tmp_path / "factcheck.toml"
    config.write_text("[retrieval]\nkk = 3\n", encoding="utf-8")
    with pytest.raises(ConfigError) as info:
        load_settings(config, environ={})
    assert "retrieval.kk" in info.value.user_message()


def test_secrets_are_typed_as_secret_values():
    s = load_settings(environ={"FACTCHECK_LLM__API_KEY": "sk-abc123456", "FACTCHECK_EMBEDDING__API_KEY": "e-key-1234"})
    assert s.llm.api_key is not None and s.llm.api_key.get_secret_value() == "sk-abc123456"
    assert "e-key-1234" not in str(s.model_dump())
