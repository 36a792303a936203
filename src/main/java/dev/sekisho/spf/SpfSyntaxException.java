package dev.sekisho.spf;

/** An SPF record or macro string that does not follow the grammar of RFC 7208 (12 / Appendix A). */
public final class SpfSyntaxException extends RuntimeException {
    public SpfSyntaxException(String message) {
        super(message);
    }
}
