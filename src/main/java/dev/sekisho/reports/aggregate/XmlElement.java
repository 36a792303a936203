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
    final List<XmlElement> children = new ArrayList<>(4);
    /** The text so far; null while there is none. Most elements hold one piece of text or only white space. */
    private StringBuilder text;

    XmlElement(String name, long line) {
        this.name = name;
        this.line = line;
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
        if (text == null) {
            int first = start;
            int end = start + length;
            while (first < end && Character.isWhitespace(characters[first])) first++;
            if (first == end) return;
            text = new StringBuilder(end - first);
            text.append(characters, first, end - first);
        } else {
            text.append(characters, start, length);
        }
    }

    /** The element's own text without surrounding white space. */
    String text() {
        return text == null ? "" : text.toString().strip();
    }

    /** The stripped text of the first child so named, when there is one and it is not empty. */
    Optional<String> value(String childName) {
        return child(childName).map(XmlElement::text).filter(s -> !s.isEmpty());
    }
}
