"""The import contract (pyproject.toml, [tool.importlinter]): apps import only the layers
below them, and it fails when an import goes up a layer."""

from __future__ import annotations

import json
import subprocess
import tomllib
from pathlib import Path

from django.apps import apps

BASE = Path(__file__).resolve().parents[2]
LINT = BASE / ".venv" / "bin" / "lint-imports"


def lint(config: Path | None = None) -> subprocess.CompletedProcess:
    args = [str(LINT), "--no-cache"] + (["--config", str(config)] if config else [])
    return subprocess.run(args, cwd=BASE, capture_output=True, text=True, timeout=120)


def contract_without(ignored: str, path: Path) -> Path:
    """The project's contract with one of its ignored imports counted again."""
    settings = tomllib.loads((BASE / "pyproject.toml").read_text())["tool"]["importlinter"]
    contract = settings["contracts"][0]
    assert ignored in contract["ignore_imports"]
    lines = [
        "[tool.importlinter]",
        f"root_packages = {json.dumps(settings['root_packages'])}",
        "exclude_type_checking_imports = true",
        "[[tool.importlinter.contracts]]",
        *(
            f"{key} = {json.dumps(value)}"
            for key, value in contract.items()
            if key != "ignore_imports"
        ),
        f"ignore_imports = {json.dumps([i for i in contract['ignore_imports'] if i != ignored])}",
    ]
    path.write_text("\n".join(lines) + "\n")
    return path


def test_the_layers_hold():
    result = lint()
    assert result.returncode == 0, result.stdout + result.stderr
    assert "2 kept, 0 broken" in result.stdout


def test_an_import_up_a_layer_breaks_them(tmp_path):
    # The kernel's URL configuration importing identity is allowed only as the composition
    # root; counted, it breaks the contract, as any other import up a layer would.
    result = lint(contract_without("portal.urls -> identity.sso.views", tmp_path / "c.toml"))
    assert result.returncode != 0
    assert "portal.urls -> identity.sso.views" in result.stdout


def test_only_the_url_wiring_goes_up_a_layer():
    """The exceptions are the composition root (the URL configuration) and nothing else."""
    settings = tomllib.loads((BASE / "pyproject.toml").read_text())["tool"]["importlinter"]
    ignored = settings["contracts"][0]["ignore_imports"]
    assert ignored
    assert all(i.startswith(("portal.urls ->", "portal.api.urls ->")) for i in ignored), ignored


def test_no_model_refers_to_a_layer_above_its_own():
    """A foreign key goes down the layers or stays in its app, so the models form no cycle.

    The user model is the one exception, named as Django names it (settings.AUTH_USER_MODEL,
    a swappable reference, as django.contrib.admin's LogEntry refers to it)."""
    settings = tomllib.loads((BASE / "pyproject.toml").read_text())["tool"]["importlinter"]
    layers = settings["contracts"][0]["layers"]
    rank = {app: len(layers) - i for i, app in enumerate(layers)}
    upward = []
    for model in apps.get_models():
        source = model.__module__.split(".")[0]
        if source not in rank:
            continue
        for field in model._meta.get_fields():
            if field.is_relation and field.concrete and field.related_model is not None:
                if getattr(field, "swappable_setting", None) == "AUTH_USER_MODEL":
                    continue
                target = field.related_model.__module__.split(".")[0]
                if target in rank and rank[target] > rank[source]:
                    upward.append(f"{model.__name__}.{field.name} -> {target}")
    assert upward == []


def test_the_console_is_the_top_layer():
    """The first-run setup and the dashboard put every app together: nothing below imports
    them (only the URL wiring does)."""
    settings = tomllib.loads((BASE / "pyproject.toml").read_text())["tool"]["importlinter"]
    layers = settings["contracts"][0]["layers"]
    assert layers[0] == "console" and layers[-1] == "portal"
    upward = [i for i in settings["contracts"][0]["ignore_imports"] if "-> console" in i]
    assert upward == ["portal.urls -> console.urls"]


def test_regions_is_layered_inside_as_its_folders_are():
    """The registry, the configuration and the federation are regions' own layers, and each
    layer the contract names is a module or a folder of regions/."""
    settings = tomllib.loads((BASE / "pyproject.toml").read_text())["tool"]["importlinter"]
    (inside,) = [c for c in settings["contracts"] if c.get("containers") == ["regions"]]
    names = [name.strip() for layer in inside["layers"] for name in layer.split(":")]
    assert names.index("federation") < names.index("services") < names.index("configuration")
    assert names[-1] == "models"
    for name in names:
        assert (BASE / "regions" / name).is_dir() or (BASE / "regions" / f"{name}.py").is_file()
    assert "ignore_imports" not in inside
