/**
 * Postfix's SMTP access policy delegation (SMTPD_POLICY_README): the request codec
 * ({@link dev.sekisho.postfix.PolicyRequest}), the reply renderer
 * ({@link dev.sekisho.postfix.ActionRenderer}) and the TCP server
 * ({@link dev.sekisho.postfix.PolicyServer}) that puts each request to a
 * {@link dev.sekisho.postfix.Decider}.
 */
package dev.sekisho.postfix;
