"""cli: the click commands only: parse, call the library, print, exit code."""
