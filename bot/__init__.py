"""Composition root of Kyodo Bot: settings, CLI, database, engine, delivery."""
