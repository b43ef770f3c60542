"""The differential suite: generated shim programs, labelled under the real shim, compared with the linter."""
