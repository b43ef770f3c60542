"""docs/editors.md: every editor setup that can be checked here is read from the page and checked, so the
page cannot drift from the server (or from the editors' configuration formats) unnoticed.

Checked: the Helix TOML (tomllib), the VS Code and Sublime Text JSON, the JupyterLab server spec (loaded by
jupyter-lsp's own `LanguageServerManager`, whose schema validates it), the settings the server accepts,
the stdin commands (run), and the Emacs setup run in a real Emacs with eglot when one is installed
(`apt-get install emacs-nox elpa-eglot` gives Emacs 28 with eglot 1.9; CI does not install it). Not
runnable here: the Neovim Lua (`vim.lsp.config` needs Nvim 0.11+; Debian 12 has 0.7, PyPI and npm none),
so for it the test only checks the command it starts.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

from tf2lint.hosts.lsp import Options

DOC = Path(__file__).parent.parent / "docs" / "editors.md"
COMMAND = ["tf2lint", "server"]


def blocks(language: str) -> list[str]:
    """The page's fenced code blocks of one language, in order."""
    return [m.group(2) for m in re.finditer(r"```(\w+)\n(.*?)```", DOC.read_text(encoding="utf-8"), re.S)
            if m.group(1) == language]


def jsonc(text: str) -> dict:
    """JSON with `//` comment lines (VS Code's settings.json)."""
    return json.loads("\n".join(line for line in text.splitlines() if not line.strip().startswith("//")))


def test_the_settings_example_is_what_the_server_accepts() -> None:
    options = [json.loads(b) for b in blocks("json") if "select" in json.loads(b)]
    assert options and Options.parse(options[0]) == Options(("TFS1",), ("TFS112",), False)


def test_vscode_generic_client_and_linter_extensions() -> None:
    generic, linters = (jsonc(b) for b in blocks("jsonc"))
    assert [generic["glspc.server.command"], *generic["glspc.server.commandArguments"]] == COMMAND
    assert generic["glspc.server.languageId"] == ["python"]
    Options.parse(generic["glspc.server.initializationOptions"])
    assert "source.fixAll.tf2lint" in generic["editor.codeActionsOnSave"]
    assert "--load-plugins=pylint_tf2lint" in linters["pylint.args"]
    assert linters["flake8.args"] == ["--extend-select=TFS"]


def test_helix_languages_toml() -> None:
    [text] = blocks("toml")
    config = tomllib.loads(text)
    server = config["language-server"]["tf2lint"]
    assert [server["command"], *server["args"]] == COMMAND
    Options.parse(server["config"])  # sent as initializationOptions
    [python] = [language for language in config["language"] if language["name"] == "python"]
    assert "tf2lint" in python["language-servers"]


def test_sublime_text_lsp_settings() -> None:
    [settings] = [json.loads(b) for b in blocks("json") if "clients" in json.loads(b)]
    client = settings["clients"]["tf2lint"]
    assert client["enabled"] is True and client["command"] == COMMAND and client["selector"] == "source.python"
    Options.parse(client["initializationOptions"])
    assert settings["lsp_code_actions_on_save"] == {"source.fixAll.tf2lint": True}


@pytest.mark.filterwarnings("ignore::DeprecationWarning")  # traitlets, inside jupyter-lsp
def test_jupyterlab_lsp_spec_is_accepted_by_jupyter_lsp() -> None:
    from jupyter_lsp.manager import LanguageServerManager
    from traitlets.config import Config

    [config] = [json.loads(b) for b in blocks("json") if "LanguageServerManager" in json.loads(b)]
    # The trait validates against jupyter-lsp's schema (LANGUAGE_SERVER_SPEC_MAP): a bad spec raises here.
    manager = LanguageServerManager(config=Config(config))
    spec = manager.language_servers["tf2lint"]
    assert spec["argv"] == COMMAND and spec["languages"] == ["python"]
    [priority] = [json.loads(b) for b in blocks("json") if "language_servers" in json.loads(b)]
    assert priority["language_servers"]["tf2lint"]["priority"] > 50  # above jupyterlab-lsp's default
    bad = {"LanguageServerManager": {"language_servers": {"tf2lint": {"argv": COMMAND}}}}
    with pytest.raises(Exception, match="version|languages|required"):
        LanguageServerManager(config=Config(bad)).language_servers  # noqa: B018 - the check must be able to fail


def test_neovim_and_emacs_start_the_server() -> None:
    [lua] = blocks("lua")
    assert 'vim.lsp.config("tf2lint"' in lua and 'vim.lsp.enable("tf2lint")' in lua
    assert 'cmd = { "tf2lint", "server" }' in lua
    [elisp] = blocks("elisp")
    assert '("tf2lint" "server"' in elisp and "eglot-server-programs" in elisp
    assert elisp.count("(") == elisp.count(")")


BUFFER = """\
import tensorflow as tf


class Net(tf.keras.layers.Layer):
    @tf.compat.v1.keras.utils.track_tf1_style_variables
    def call(self, x):
        return tf.compat.v1.layers.dense(x, 3)
"""


def test_the_stdin_commands_do_what_the_page_says(tmp_path: Path) -> None:
    [shell] = blocks("sh")
    (tmp_path / "buffer.py").write_text(BUFFER)
    results = []
    for line in shell.splitlines():
        command = line.split("#")[0].split()
        assert command[:2] == ["tf2lint", "check"] and command[-2:] == ["<", "buffer.py"]
        results.append(subprocess.run(
            [sys.executable, "-m", "tf2lint", *command[1:-2]], input=BUFFER, capture_output=True, text=True,
            cwd=tmp_path, check=False,
        ))
    findings, fixed, diff = results
    assert findings.returncode == 1 and findings.stdout.startswith("src/model.py:7:")
    assert fixed.returncode == 0 and fixed.stdout == BUFFER.replace("(x, 3)", '(x, 3, name="dense")')  # all fixed
    assert diff.returncode == 1 and diff.stdout.startswith("---")
    assert '+        return tf.compat.v1.layers.dense(x, 3, name="dense")' in diff.stdout.splitlines()


EMACS_CHECK = """
(dolist (dir (directory-files "/usr/share/emacs/site-lisp/elpa" t "^[a-z]"))  ; Debian's elpa-* packages
  (add-to-list 'load-path dir))
(require 'eglot)
(load-file "snippet.el")
(setq eglot-sync-connect t)
(find-file "model.py")
(python-mode)
(apply #'eglot (eglot--guess-contact))
(let ((tries 0))
  (while (and (< tries 300) (null (flymake-diagnostics)))
    (accept-process-output nil 0.1)
    (setq tries (1+ tries))))
(dolist (d (flymake-diagnostics))
  (princ (format "DIAGNOSTIC %d %s\n" (line-number-at-pos (flymake-diagnostic-beg d)) (flymake-diagnostic-text d))))
(princ (format "OPTIONS %S\n" (eglot-initialization-options (eglot-current-server))))
(let ((actions (jsonrpc-request (eglot-current-server) :textDocument/codeAction
                 (list :textDocument (eglot--TextDocumentIdentifier)
                       :range (list :start (list :line 6 :character 0) :end (list :line 6 :character 0))
                       :context (list :diagnostics [])))))
  (mapc (lambda (action) (princ (format "ACTION %s\n" (plist-get action :title)))) actions))  ; a vector
(eglot-shutdown (eglot-current-server))
"""


@pytest.mark.skipif(shutil.which("emacs") is None, reason="no Emacs here (apt-get install emacs-nox elpa-eglot)")
def test_the_emacs_setup_in_emacs_with_eglot(tmp_path: Path) -> None:
    [elisp] = blocks("elisp")
    (tmp_path / "snippet.el").write_text(elisp)
    (tmp_path / "check.el").write_text(EMACS_CHECK)
    (tmp_path / "model.py").write_text(BUFFER.replace("return tf.compat.v1.layers.dense(x, 3)",
                                                      "h = tf.compat.v1.layers.dense(x, 3)\n"
                                                      "        return tf.compat.v1.layers.dense(h, 4)"))
    path = os.pathsep.join([str(Path(sys.executable).parent), os.environ.get("PATH", "")])  # `tf2lint` itself
    done = subprocess.run(["emacs", "--batch", "-Q", "-l", "check.el"], cwd=tmp_path, capture_output=True,
                          text=True, timeout=120, env={**os.environ, "PATH": path}, check=False)
    lines = done.stdout.splitlines()
    assert [line.split()[:3] for line in lines if line.startswith("DIAGNOSTIC")] == [
        ["DIAGNOSTIC", "7", "tf2lint"], ["DIAGNOSTIC", "8", "tf2lint"]], done.stdout + done.stderr
    assert "OPTIONS (:unsafe-fixes :json-false)" in lines
    assert {"ACTION Disable TFS101 for this line", "ACTION tf2lint: apply all safe fixes"} <= set(lines)
