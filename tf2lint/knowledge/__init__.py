"""What tf2lint knows about TensorFlow, tf-keras and TF-Slim, as data (never by importing them)."""
