"""Passerelle: a Telegram bot for reciprocal exchanges of practice between Brittany and Togo."""

__version__ = "0.1.0"
