/**
 * What is kept per mail account: its settings (refuse use from abroad, a travel lift) and its recent logins, in the
 * state store so that a fleet sharing one store agrees. Remembering only; the checks decide.
 */
package dev.sekisho.account;
