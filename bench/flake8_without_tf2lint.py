"""Run flake8 exactly as installed, minus the tf2lint plugin: the baseline for the plugin's cost."""

import sys

from flake8.main.cli import main
from flake8.plugins import finder

_all_plugins = finder._find_importlib_plugins


def _without_tf2lint():
    return (plugin for plugin in _all_plugins() if plugin.package != "tf2lint")


finder._find_importlib_plugins = _without_tf2lint

if __name__ == "__main__":
    sys.exit(main())
