"""Vocabulary files (package data), read by :mod:`portfolio_check.vocabulary`."""
