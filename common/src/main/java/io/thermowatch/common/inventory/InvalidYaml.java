package io.thermowatch.common.inventory;

/** A YAML document, or a part of one, that is not what was expected; the message is one line naming where and what. */
public final class InvalidYaml extends Exception {
    private static final long serialVersionUID = 1L;

    public InvalidYaml(String message) {
        super(message);
    }
}
