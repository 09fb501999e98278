"""Build steps: what turns the sources into the book, its reader notebooks and its generated pages."""
