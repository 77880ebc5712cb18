package io.thermowatch.emailsender;

import java.util.Locale;

/** How bad an alert is; ordered, so a higher level compares greater. NORMAL is "no alert". */
enum Level {
    NORMAL,
    WARNING,
    CRITICAL;

    /** As written in the rules file and in mails: {@code warning}, {@code critical}. */
    String lowerCase() {
        return name().toLowerCase(Locale.ROOT);
    }

    boolean isAbove(Level other) {
        return compareTo(other) > 0;
    }
}
