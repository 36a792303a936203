package dev.sekisho.reports.aggregate;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * A small element tree for one record, report_metadata or policy_published: these are read whole (they
 * are small and bounded) while the report around them is streamed.
 */
final class XmlElement {
    final String name;
    final long line;
    /** Empty (shared) until the first child: most elements of a record are leaves holding one word. */
    private List<XmlElement> children = List.of();
    /** The text, when it came in one piece (the usual case), without leading white space; null while there is none. */
    private String text;
    /** The text, when it came in several pieces (the parser may split it at its buffer's end). */
    private StringBuilder pieces;

    XmlElement(String name, long line) {
        this.name = name;
        this.line = line;
    }

    void add(XmlElement child) {
        if (children.isEmpty()) children = new ArrayList<>(4);
        children.add(child);
    }

    Optional<XmlElement> child(String childName) {
        for (XmlElement c : children) {
            if (c.name.equals(childName)) return Optional.of(c);
        }
        return Optional.empty();
    }

    List<XmlElement> all(String childName) {
        List<XmlElement> found = new ArrayList<>();
        for (XmlElement c : children) {
            if (c.name.equals(childName)) found.add(c);
        }
        return found;
    }

    /**
     * Adds a piece of the element's text. White space before any other text is not kept: {@link #text} strips it
     * anyway, and it is all the text of an element that has children (the indentation between them).
     */
    void append(char[] characters, int start, int length) {
        if (pieces != null) {
            pieces.append(characters, start, length);
        } else if (text == null) {
            int first = start;
            int end = start + length;
            while (first < end && Character.isWhitespace(characters[first])) first++;
            if (first == end) return;
            text = new String(characters, first, end - first);
        } else {
            pieces = new StringBuilder(text.length() + length).append(text).append(characters, start, length);
        }
    }

    /** The element's own text without surrounding white space. */
    String text() {
        if (pieces != null) return pieces.toString().strip();
        return text == null ? "" : text.strip(); // strip returns the same string when there is nothing to strip
    }

    /** The stripped text of the first child so named, when there is one and it is not empty. */
    Optional<String> value(String childName) {
        return child(childName).map(XmlElement::text).filter(s -> !s.isEmpty());
    }
}
