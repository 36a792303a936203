-- Version 4: the repeated words of aggregate records (domains, selectors, result words, reasons, the dkim_all and
-- spf_all lists) kept once each in record_text and referred to by number. A record row then holds the source
-- address, the counts and fifteen small integers instead of fifteen strings: smaller rows, a smaller header_from
-- index, and no text to convert per value while importing (docs/benchmarks.md). The records move to
-- aggregate_record_row; aggregate_record becomes a view with the former columns and texts, so what read the table
-- reads the view unchanged. The rows are copied once in this migration's transaction.
CREATE TABLE record_text (
    id                  INTEGER PRIMARY KEY,
    value               TEXT    NOT NULL UNIQUE
);
INSERT INTO record_text (value)
SELECT value FROM (
    SELECT disposition AS value FROM aggregate_record
    UNION SELECT dkim_evaluated FROM aggregate_record
    UNION SELECT spf_evaluated FROM aggregate_record
    UNION SELECT reasons FROM aggregate_record
    UNION SELECT header_from FROM aggregate_record
    UNION SELECT envelope_from FROM aggregate_record
    UNION SELECT envelope_to FROM aggregate_record
    UNION SELECT dkim_domain FROM aggregate_record
    UNION SELECT dkim_selector FROM aggregate_record
    UNION SELECT dkim_result FROM aggregate_record
    UNION SELECT spf_domain FROM aggregate_record
    UNION SELECT spf_scope FROM aggregate_record
    UNION SELECT spf_result FROM aggregate_record
    UNION SELECT dkim_all FROM aggregate_record
    UNION SELECT spf_all FROM aggregate_record
) v WHERE value IS NOT NULL ORDER BY value;
-- No foreign keys to record_text: they would be checked fifteen times per record inserted, and only the store's
-- writer, which takes the numbers from record_text itself, writes these columns.
CREATE TABLE aggregate_record_row (
    report              INTEGER NOT NULL REFERENCES aggregate_report (id) ON DELETE CASCADE,
    record_index        INTEGER NOT NULL,
    source_ip           TEXT    NOT NULL,
    message_count       BIGINT  NOT NULL,
    disposition         BIGINT  NOT NULL,
    dkim_evaluated      BIGINT  NOT NULL,
    spf_evaluated       BIGINT  NOT NULL,
    reasons             BIGINT,
    header_from         BIGINT  NOT NULL,
    envelope_from       BIGINT,
    envelope_to         BIGINT,
    dkim_domain         BIGINT,
    dkim_selector       BIGINT,
    dkim_result         BIGINT,
    spf_domain          BIGINT,
    spf_scope           BIGINT,
    spf_result          BIGINT,
    dkim_all            BIGINT,
    spf_all             BIGINT,
    PRIMARY KEY (report, record_index)
) WITHOUT ROWID;
INSERT INTO aggregate_record_row
SELECT r.report, r.record_index, r.source_ip, r.message_count,
    (SELECT id FROM record_text WHERE value = r.disposition),
    (SELECT id FROM record_text WHERE value = r.dkim_evaluated),
    (SELECT id FROM record_text WHERE value = r.spf_evaluated),
    (SELECT id FROM record_text WHERE value = r.reasons),
    (SELECT id FROM record_text WHERE value = r.header_from),
    (SELECT id FROM record_text WHERE value = r.envelope_from),
    (SELECT id FROM record_text WHERE value = r.envelope_to),
    (SELECT id FROM record_text WHERE value = r.dkim_domain),
    (SELECT id FROM record_text WHERE value = r.dkim_selector),
    (SELECT id FROM record_text WHERE value = r.dkim_result),
    (SELECT id FROM record_text WHERE value = r.spf_domain),
    (SELECT id FROM record_text WHERE value = r.spf_scope),
    (SELECT id FROM record_text WHERE value = r.spf_result),
    (SELECT id FROM record_text WHERE value = r.dkim_all),
    (SELECT id FROM record_text WHERE value = r.spf_all)
FROM aggregate_record r;
DROP TABLE aggregate_record;
CREATE INDEX aggregate_record_row_header_from ON aggregate_record_row (header_from);
CREATE VIEW aggregate_record AS
SELECT r.report, r.record_index, r.source_ip, r.message_count,
    disposition.value AS disposition, dkim_evaluated.value AS dkim_evaluated, spf_evaluated.value AS spf_evaluated,
    reasons.value AS reasons, header_from.value AS header_from, envelope_from.value AS envelope_from,
    envelope_to.value AS envelope_to, dkim_domain.value AS dkim_domain, dkim_selector.value AS dkim_selector,
    dkim_result.value AS dkim_result, spf_domain.value AS spf_domain, spf_scope.value AS spf_scope,
    spf_result.value AS spf_result, dkim_all.value AS dkim_all, spf_all.value AS spf_all
FROM aggregate_record_row r
    JOIN record_text disposition ON disposition.id = r.disposition
    JOIN record_text dkim_evaluated ON dkim_evaluated.id = r.dkim_evaluated
    JOIN record_text spf_evaluated ON spf_evaluated.id = r.spf_evaluated
    LEFT JOIN record_text reasons ON reasons.id = r.reasons
    JOIN record_text header_from ON header_from.id = r.header_from
    LEFT JOIN record_text envelope_from ON envelope_from.id = r.envelope_from
    LEFT JOIN record_text envelope_to ON envelope_to.id = r.envelope_to
    LEFT JOIN record_text dkim_domain ON dkim_domain.id = r.dkim_domain
    LEFT JOIN record_text dkim_selector ON dkim_selector.id = r.dkim_selector
    LEFT JOIN record_text dkim_result ON dkim_result.id = r.dkim_result
    LEFT JOIN record_text spf_domain ON spf_domain.id = r.spf_domain
    LEFT JOIN record_text spf_scope ON spf_scope.id = r.spf_scope
    LEFT JOIN record_text spf_result ON spf_result.id = r.spf_result
    LEFT JOIN record_text dkim_all ON dkim_all.id = r.dkim_all
    LEFT JOIN record_text spf_all ON spf_all.id = r.spf_all;
