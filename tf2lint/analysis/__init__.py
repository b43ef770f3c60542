"""Analysis: source -> names -> module summary -> project graph -> shim walk (context)."""
