/**
 * Log sources: a file followed like {@code tail -F} ({@link dev.sekisho.logs.FileTail}: rotation, truncation,
 * position kept across restarts) and a syslog listener ({@link dev.sekisho.logs.SyslogListener}: RFC 3164 and
 * RFC 5424 over UDP and TCP). They deliver lines and entries; what a line means is the adapters' business
 * (postfix, dovecot).
 */
package dev.sekisho.logs;
