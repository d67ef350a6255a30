"""File input and output: the only package that opens files."""
