"""tf2lint: static checks for TF1.x models run in TF2 through `track_tf1_style_variables`."""

__version__ = "0.1.0"

# Where the generated docs are published; rule help links (SARIF, docs) point below it.
DOCS_URL = "https://github.com/tf2lint/tf2lint/blob/main/docs"
