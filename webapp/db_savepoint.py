"""``savepoint()``: ``db.session.begin_nested()`` that holds on SQLite too.

pysqlite (Python's sqlite3 before 3.12's ``autocommit``) opens a transaction only before a data
change. A SAVEPOINT sent first opens a transaction of its own, and releasing that savepoint
commits it: the writes inside would be committed on their own, whatever the rest of the
transaction does (the pysqlite note under "Serializable isolation / Savepoints" in SQLAlchemy's
SQLite dialect documentation). So on SQLite a real transaction is opened first, with BEGIN
IMMEDIATE: the savepoint is about to write, and taking the write lock now waits politely (busy
timeout) instead of failing later on a stale read snapshot.
"""
from __future__ import annotations

import sqlite3

from .extensions import db


def savepoint():
    driver = db.session.connection().connection.driver_connection
    if isinstance(driver, sqlite3.Connection) and not driver.in_transaction:
        driver.execute("BEGIN IMMEDIATE")
    return db.session.begin_nested()
