package org.phong.zenflow.logging.api;

import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

/** Case-insensitive parsing of the API's enums, with errors that name the field and list the values. */
final class EnumNames {
    private EnumNames() {
    }

    static <E extends Enum<E>> E parse(Class<E> type, String field, String text) {
        E[] values = type.getEnumConstants();
        String names = Arrays.stream(values).map(Enum::name).collect(Collectors.joining(", "));
        if (text == null || text.isBlank()) {
            throw new InvalidLogEntryException(field, "is required (one of " + names + ")");
        }
        try {
            return Enum.valueOf(type, text.trim().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new InvalidLogEntryException(field, "must be one of " + names + ", not '" + text + "'");
        }
    }
}
