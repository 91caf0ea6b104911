"""Tests of portfolio_check.sources."""
