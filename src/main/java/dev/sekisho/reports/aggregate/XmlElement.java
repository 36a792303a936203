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
    final StringBuilder text = new StringBuilder();
    final List<XmlElement> children = new ArrayList<>();

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

    /** The element's own text without surrounding white space. */
    String text() {
        return text.toString().strip();
    }

    /** The stripped text of the first child so named, when there is one and it is not empty. */
    Optional<String> value(String childName) {
        return child(childName).map(XmlElement::text).filter(s -> !s.isEmpty());
    }
}
