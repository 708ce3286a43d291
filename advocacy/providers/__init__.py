"""One module per social network behind one interface."""
