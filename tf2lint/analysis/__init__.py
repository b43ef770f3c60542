"""Analysis: source -> names -> module summary -> project graph -> class model and call resolution -> shim walk,
behind one context per linted module."""
