"""The `ceasefire` command line: thin typer commands over the services."""
