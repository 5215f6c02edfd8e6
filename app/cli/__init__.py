"""The `socialatlas` command line."""
