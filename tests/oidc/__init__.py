"""A real OpenID provider for the console's sign-in tests: panva's oidc-provider under Node.js."""
