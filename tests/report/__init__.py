"""Tests of portfolio_check.report."""
