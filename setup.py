"""Ship the top-level migrations/ and locales/ inside the wheel as bot/_data/.

The product owner fixed `migrations/` and `locales/` at the repository's top level; an installed package must
still find them without a checkout, so the build copies them next to the code (see bot/resources.py).
"""

import shutil
from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py

TOP_LEVEL_DATA = ("migrations", "locales")


class BuildPyWithData(build_py):
    def run(self) -> None:
        super().run()
        here = Path(__file__).resolve().parent
        target = Path(self.build_lib) / "bot" / "_data"
        for name in TOP_LEVEL_DATA:
            destination = target / name
            if destination.exists():
                shutil.rmtree(destination)
            shutil.copytree(
                here / name,
                destination,
                ignore=shutil.ignore_patterns("*.mo", "*.pot", "__pycache__", "REVIEW.md"),
            )


setup(cmdclass={"build_py": BuildPyWithData})
