"""The real OpenID provider of the single sign-on tests (Node, see server.js)."""
