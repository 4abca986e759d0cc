"""A local emulation of the GitHub REST API subset the bot uses; see run.py for the entry points."""
