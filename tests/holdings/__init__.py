"""Tests of portfolio_check.holdings."""
