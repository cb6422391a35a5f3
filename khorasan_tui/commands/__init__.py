"""One module per group of `khorasan` subcommands; each handler takes a cli.Context."""
