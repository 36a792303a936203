-- Version 1: DMARC aggregate reports and their records, failure reports, SMTP TLS reports.
-- Times are seconds since the epoch (UTC); the same column types in SQLite and PostgreSQL.

CREATE TABLE aggregate_report (
    id                  INTEGER PRIMARY KEY,
    reporter            TEXT    NOT NULL,
    report_id           TEXT    NOT NULL,
    org_name            TEXT    NOT NULL,
    email               TEXT    NOT NULL,
    extra_contact_info  TEXT,
    begin_at            BIGINT  NOT NULL,
    end_at              BIGINT  NOT NULL,
    errors              TEXT,
    generator           TEXT,
    format              TEXT    NOT NULL,
    domain              TEXT    NOT NULL,
    adkim               TEXT,
    aspf                TEXT,
    p                   TEXT    NOT NULL,
    sp                  TEXT,
    np                  TEXT,
    pct                 INTEGER,
    fo                  TEXT,
    testing             TEXT,
    discovery_method    TEXT,
    origin              TEXT    NOT NULL,
    imported_at         BIGINT  NOT NULL,
    record_count        BIGINT  NOT NULL DEFAULT 0,
    message_count       BIGINT  NOT NULL DEFAULT 0,
    UNIQUE (reporter, report_id)
);
CREATE INDEX aggregate_report_domain ON aggregate_report (domain, end_at);

CREATE TABLE aggregate_record (
    report              INTEGER NOT NULL REFERENCES aggregate_report (id) ON DELETE CASCADE,
    record_index        INTEGER NOT NULL,
    source_ip           TEXT    NOT NULL,
    message_count       BIGINT  NOT NULL,
    disposition         TEXT    NOT NULL,
    dkim_evaluated      TEXT    NOT NULL,
    spf_evaluated       TEXT    NOT NULL,
    reasons             TEXT,
    header_from         TEXT    NOT NULL,
    envelope_from       TEXT,
    envelope_to         TEXT,
    dkim_domain         TEXT,
    dkim_selector       TEXT,
    dkim_result         TEXT,
    spf_domain          TEXT,
    spf_scope           TEXT,
    spf_result          TEXT,
    dkim_all            TEXT,
    spf_all             TEXT,
    PRIMARY KEY (report, record_index)
);
CREATE INDEX aggregate_record_header_from ON aggregate_record (header_from);

CREATE TABLE failure_report (
    id                      INTEGER PRIMARY KEY,
    reporter                TEXT    NOT NULL,
    digest                  TEXT    NOT NULL,
    feedback_type           TEXT    NOT NULL,
    user_agent              TEXT,
    original_mail_from      TEXT,
    original_rcpt_to        TEXT,
    arrival_at              BIGINT,
    source_ip               TEXT,
    reported_domain         TEXT,
    authentication_results  TEXT,
    auth_failure            TEXT,
    delivery_result         TEXT,
    identity_alignment      TEXT,
    dkim_domain             TEXT,
    dkim_identity           TEXT,
    dkim_selector           TEXT,
    spf_dns                 TEXT,
    original_from           TEXT,
    original_subject        TEXT,
    fields                  TEXT    NOT NULL,
    original_headers        TEXT    NOT NULL,
    origin                  TEXT    NOT NULL,
    imported_at             BIGINT  NOT NULL,
    UNIQUE (reporter, digest)
);
CREATE INDEX failure_report_domain ON failure_report (reported_domain, arrival_at);

CREATE TABLE tls_report (
    id                  INTEGER PRIMARY KEY,
    reporter            TEXT    NOT NULL,
    report_id           TEXT    NOT NULL,
    organization_name   TEXT    NOT NULL,
    contact_info        TEXT,
    begin_at            BIGINT  NOT NULL,
    end_at              BIGINT  NOT NULL,
    origin              TEXT    NOT NULL,
    imported_at         BIGINT  NOT NULL,
    UNIQUE (reporter, report_id)
);

CREATE TABLE tls_policy (
    report              INTEGER NOT NULL REFERENCES tls_report (id) ON DELETE CASCADE,
    policy_index        INTEGER NOT NULL,
    policy_type         TEXT    NOT NULL,
    policy_domain       TEXT    NOT NULL,
    policy_string       TEXT,
    mx_hosts            TEXT,
    successful_sessions BIGINT  NOT NULL,
    failed_sessions     BIGINT  NOT NULL,
    PRIMARY KEY (report, policy_index)
);
CREATE INDEX tls_policy_domain ON tls_policy (policy_domain);

CREATE TABLE tls_failure (
    report                  INTEGER NOT NULL REFERENCES tls_report (id) ON DELETE CASCADE,
    policy_index            INTEGER NOT NULL,
    detail_index            INTEGER NOT NULL,
    result_type             TEXT    NOT NULL,
    sending_mta_ip          TEXT,
    receiving_mx_hostname   TEXT,
    receiving_mx_helo       TEXT,
    receiving_ip            TEXT,
    failed_sessions         BIGINT  NOT NULL,
    additional_information  TEXT,
    failure_reason_code     TEXT,
    PRIMARY KEY (report, policy_index, detail_index)
);
