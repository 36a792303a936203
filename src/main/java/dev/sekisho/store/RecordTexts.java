package dev.sekisho.store;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;

/**
 * The record_text table (migration 4) as the store's writer uses it: the number of each repeated word of aggregate
 * records (domains, selectors, result words, reasons, the dkim_all and spf_all lists), looked up or added once and
 * then remembered, so that binding a record is mostly setting small integers. Used on the writer thread only.
 * <p>
 * The numbers remembered may belong to rows added in the open transaction; after any rollback the caller calls
 * {@link #forget()}, since a rolled-back number can be given to another word later. The same statements run on SQLite
 * and PostgreSQL.
 * <p>
 * On PostgreSQL new words are added on a connection of their own that commits each at once. Added in the writer's
 * transaction, a new word's unique-index entry would stay locked until the report group commits, and two importers
 * adding the same two new words in opposite orders would wait for each other (a deadlock PostgreSQL breaks by
 * refusing one group). A word committed for a report that then rolls back is simply there for the next one.
 */
final class RecordTexts implements AutoCloseable {
    /** Words remembered at most (about 10 MiB); beyond it they are forgotten and looked up again as they recur. */
    static final int REMEMBERED = 65_536;

    /** Opens the connection new words are added on; null to add them in the writer's transaction (SQLite). */
    interface Adder {
        Connection open() throws SQLException;
    }

    private final Connection connection;
    private final Adder adder;
    private Connection adding;
    private final Map<String, Long> ids = new HashMap<>();
    private PreparedStatement find;
    private PreparedStatement add;
    /**
     * The last word looked up for each column of a record and its number. Neighbouring records mostly repeat a column's
     * word (the same header_from, disposition, SPF domain...), found again by one comparison, without hashing the
     * word and probing the map: those lookups were the largest part of binding a record.
     */
    private final String[] lastWord;
    private final long[] lastId;

    /** @param columns the highest column number given to {@link #id(int, String)} */
    RecordTexts(Connection connection, Adder adder, int columns) {
        this.connection = connection;
        this.adder = adder;
        this.lastWord = new String[columns + 1];
        this.lastId = new long[columns + 1];
    }

    /** The number of {@code value} (not null) as a word of {@code column}: the column's last word is checked first. */
    long id(int column, String value) throws SQLException {
        String last = lastWord[column];
        if (value.equals(last)) return lastId[column];
        long id = id(value);
        lastWord[column] = value;
        lastId[column] = id;
        return id;
    }

    /** The number of {@code value} in record_text, added when new. */
    long id(String value) throws SQLException {
        Long id = ids.get(value);
        if (id != null) return id;
        long found = find(value);
        if (found < 0) {
            try {
                insert(value);
            } catch (SQLException e) {
                if (adder == null) throw e;
                // The words' own connection may have broken alone (a restarted server, a killed backend): once anew.
                closeAdding();
                insert(value);
            }
            found = find(value);
            if (found < 0) throw new SQLException("record_text has no row for a value just added");
        }
        if (ids.size() >= REMEMBERED) ids.clear();
        ids.put(value, found);
        return found;
    }

    private void insert(String value) throws SQLException {
        if (add == null) {
            if (adder != null) {
                adding = adder.open();
                adding.setAutoCommit(true);
            }
            add = (adding != null ? adding : connection).prepareStatement(
                    "INSERT INTO record_text (value) VALUES (?) ON CONFLICT (value) DO NOTHING");
        }
        add.setString(1, value);
        add.executeUpdate();
    }

    private void closeAdding() {
        try {
            if (add != null) add.close();
            if (adding != null) adding.close();
        } catch (SQLException ignored) {
            // it is being replaced because it failed
        }
        add = null;
        adding = null;
    }

    /** Forgets every number: after a rollback some may no longer exist, or later mean another word. */
    void forget() {
        ids.clear();
        Arrays.fill(lastWord, null);
    }

    private long find(String value) throws SQLException {
        if (find == null) find = connection.prepareStatement("SELECT id FROM record_text WHERE value = ?");
        find.setString(1, value);
        try (ResultSet r = find.executeQuery()) {
            return r.next() ? r.getLong(1) : -1;
        }
    }

    @Override
    public void close() throws SQLException {
        if (find != null) find.close();
        closeAdding();
    }
}
