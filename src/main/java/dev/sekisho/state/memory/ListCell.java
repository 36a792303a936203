package dev.sekisho.state.memory;

import java.util.List;

/**
 * One bounded list (recent logins of an account), newest first. The whole list expires together, at the expiry its
 * newest push gave it: an account that stops logging in leaves the store, one that keeps logging in keeps its list.
 */
record ListCell(List<String> entries, long expiresAtNanos) implements Expiring {
}
