"""The registry of rules, in code order."""

from __future__ import annotations

from tf2lint.rules import (
    tfs101_unscoped_v1_layer,
    tfs102_uniquified_scope,
    tfs103_template_per_call,
    tfs104_shared_template,
    tfs105_tf_function_in_shim,
    tfs106_untracked_nested,
    tfs107_missing_shim_decorator,
    tfs108_shim_on_non_module,
    tfs109_get_or_create_layer_misuse,
    tfs110_module_regularizer_lost,
    tfs111_training_not_forwarded,
    tfs112_graph_collection_in_eager,
    tfs113_duplicate_layer_name,
    tfs114_legacy_keras_flag,
    tfs115_checkpoint_name_drift,
    tfs116_per_call_weights_without_shim,
    tfs117_decorator_does_nothing,
    tfs118_shared_rnn_cell,
    tfs119_shared_random_initializer,
    tfs901_unused_noqa,
)
from tf2lint.rules.base import Docs, Hit, Rule

RULES: tuple[Rule, ...] = (
    tfs101_unscoped_v1_layer.RULE,
    tfs102_uniquified_scope.RULE,
    tfs103_template_per_call.RULE,
    tfs104_shared_template.RULE,
    tfs105_tf_function_in_shim.RULE,
    tfs106_untracked_nested.RULE,
    tfs107_missing_shim_decorator.RULE,
    tfs108_shim_on_non_module.RULE,
    tfs109_get_or_create_layer_misuse.RULE,
    tfs110_module_regularizer_lost.RULE,
    tfs111_training_not_forwarded.RULE,
    tfs112_graph_collection_in_eager.RULE,
    tfs113_duplicate_layer_name.RULE,
    tfs114_legacy_keras_flag.RULE,
    tfs115_checkpoint_name_drift.RULE,
    tfs116_per_call_weights_without_shim.RULE,
    tfs117_decorator_does_nothing.RULE,
    tfs118_shared_rnn_cell.RULE,
    tfs119_shared_random_initializer.RULE,
    tfs901_unused_noqa.RULE,
)

# Reported by the engine itself, not by a rule over the context.
PARSE_ERROR = Rule(
    code="TFS000",
    symbol="unparsable-file",
    summary="File that cannot be read or parsed (reported once, the run goes on)",
    docs=Docs(
        what=(
            "Reports a file tf2lint could not read or parse: a syntax error, Python 2 code, a bad encoding, NUL "
            "bytes, or code past the parser's limits. Only files that mention TensorFlow (or Keras, tf2lint, "
            "TF_USE_LEGACY_KERAS) are parsed at all; syntax errors elsewhere are left to Python and flake8."
        ),
        why="Nothing in such a file was checked. The message says why, so the file can be fixed or excluded.",
        fix_safety="No fix.",
        runtime="Python would refuse to import the file as well.",
    ),
    bad=(),
    good=(),
    check=lambda ctx: (),
    raises=True,  # Python refuses to import the file
)

ALL_RULES: tuple[Rule, ...] = (PARSE_ERROR, *RULES)
BY_CODE: dict[str, Rule] = {rule.code: rule for rule in ALL_RULES}

__all__ = ["ALL_RULES", "BY_CODE", "PARSE_ERROR", "RULES", "Hit", "Rule"]
