"""ceasefire: monitor a cessation of hostilities and coordinate humanitarian access around it."""

__version__ = "0.1.0"
