"""Tests of portfolio_check.web."""
