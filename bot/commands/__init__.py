"""Sub-commands of the `kyodo` CLI (see bot.cli)."""
