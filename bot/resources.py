"""Locate the data shipped with the package (migrations, locales) without relying on the working directory."""

from __future__ import annotations

from pathlib import Path

_PACKAGE_DIR = Path(__file__).resolve().parent


def _data_dir(name: str) -> Path:
    # A built wheel carries the data as bot/_data/<name> (see setup.py); a source checkout or an
    # editable install reads the top-level folder of the repository.
    for candidate in (_PACKAGE_DIR / "_data" / name, _PACKAGE_DIR.parent / name):
        if candidate.is_dir():
            return candidate
    raise FileNotFoundError(f"Passerelle data folder {name!r} not found next to the package; reinstall it.")


def migrations_dir() -> Path:
    return _data_dir("migrations")


def locales_dir() -> Path:
    return _data_dir("locales")
