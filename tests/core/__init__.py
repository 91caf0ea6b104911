"""Tests of portfolio_check.core modules."""
