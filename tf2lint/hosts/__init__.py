"""Host adapters: the CLI, output formats, configuration. They translate; they never decide findings."""
