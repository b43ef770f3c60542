"""tf2lint: static checks for TF1.x models run in TF2 through `track_tf1_style_variables`."""

__version__ = "0.1.0"
